using System.Text.RegularExpressions;
using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>
/// <see cref="Evaluator.EvaluateWithLoss"/>'s loss per task kind against an independent computation: each
/// continuation's log-likelihood from log-softmax over one full-sequence forward pass (<see cref="EvalTestModel.Score"/>),
/// with lm-eval's pair encoding spelled out by direct tokenizer calls, and the mean and its standard error computed here.
/// </summary>
public sealed class TaskLossTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly EvalTestModel _model = new(seed: 7);

    public void Dispose()
    {
        _model.Dispose();
        _directory.Dispose();
    }

    private (List<int> Context, List<int> Continuation) Pair(string context, string continuation)
    {
        if (context.Length == 0) return ([TestTokenizerFiles.BosId], [.. _model.Tokenizer.Encode(continuation, false)]);
        string trimmed = context.TrimEnd();
        continuation = context[trimmed.Length..] + continuation;
        var whole = _model.Tokenizer.Encode(trimmed + continuation, false);
        var contextIds = _model.Tokenizer.Encode(trimmed, false);
        return ([.. contextIds], [.. whole.Skip(contextIds.Count)]);
    }

    private static (double Mean, double StandardError) MeanAndError(IReadOnlyList<double> values)
    {
        double mean = values.Sum() / values.Count;
        double squares = values.Sum(v => (v - mean) * (v - mean));
        return (mean, Math.Sqrt(squares / (values.Count - 1) / values.Count));
    }

    private ScoredTask Score(string yaml, params (string Name, object Values)[] columns)
    {
        TestParquet.Write(_directory.Combine("data.parquet"), columns);
        File.WriteAllText(_directory.Combine("task.yml"), yaml);
        return new Evaluator(_model.Model, _model.Tokenizer, new EvaluatorOptions { GenerationBatchSize = 2 }).EvaluateWithLoss(EvalTask.Load(_directory.Combine("task.yml")));
    }

    [Fact]
    public void MultipleChoiceLossIsTheMeanNegativeLogLikelihoodOfTheGoldChoice()
    {
        string[] contexts = ["Q: sky?\nA:", "Q: grass?\nA:", "Pick: \n ", ""];
        string[][] choices = [["blue", "red", "green"], ["green", "blue"], ["yes", "no", "blue yes"], ["red", "yes"]];
        long[] answers = [0, 1, 2, 1];

        var scored = Score("name: mc\nkind: multiple_choice\ndata: data.parquet\nprompt: '{q}'\nchoices_column: choices\nanswer_column: label\n",
            ("q", contexts.Select(c => (string?)c).ToArray()), ("choices", choices), ("label", answers));

        var expected = contexts.Select((c, d) =>
        {
            var (context, continuation) = Pair(c, " " + choices[d][answers[d]]);
            return -_model.Score(context, continuation).LogLikelihood;
        }).ToList();
        var (mean, error) = MeanAndError(expected);
        Assert.Equal(TaskLoss.GoldNll, scored.Loss.Name);
        Assert.False(scored.Loss.HigherIsBetter);
        Assert.Equal(contexts.Length, scored.Loss.Count);
        Assert.True(Math.Abs(mean - scored.Loss.Value) <= 1e-4, $"gold_nll {scored.Loss.Value} vs independent {mean}");
        Assert.True(Math.Abs(error - scored.Loss.StandardError!.Value) <= 1e-4, $"standard error {scored.Loss.StandardError} vs independent {error}");
        Assert.True(mean > 0.5, $"the random model gives its gold choices little probability ({mean}), so the check is not trivially near zero");
        Assert.Equal("acc", scored.Result.Metrics[0].Name);
    }

    [Fact]
    public void GenerateLossIsTheMeanTeacherForcedNegativeLogLikelihoodOfTheTarget()
    {
        string[] prompts = ["Q: 1 + 2 =", "Q: 22\nA:", "Sum: "];
        string[] targets = ["3", "twenty two", "4 5"];

        var scored = Score("name: gen\nkind: generate\ndata: data.parquet\nprompt: '{q}'\ntarget_column: a\ntarget_delimiter: '~'\nuntil: [\"\\n\"]\nmax_new_tokens: 4\n",
            ("q", prompts.Select(p => (string?)p).ToArray()), ("a", targets.Select(t => (string?)t).ToArray()));

        var expected = prompts.Select((p, d) =>
        {
            var (context, continuation) = Pair(p, "~" + targets[d]);
            return -_model.Score(context, continuation).LogLikelihood;
        }).ToList();
        var (mean, error) = MeanAndError(expected);
        Assert.Equal(TaskLoss.TargetNll, scored.Loss.Name);
        Assert.False(scored.Loss.HigherIsBetter);
        Assert.True(Math.Abs(mean - scored.Loss.Value) <= 1e-4, $"target_nll {scored.Loss.Value} vs independent {mean}");
        Assert.True(Math.Abs(error - scored.Loss.StandardError!.Value) <= 1e-4, $"standard error {scored.Loss.StandardError} vs independent {error}");
        Assert.Equal("exact_match", scored.Result.Metrics[0].Name);
        Assert.Equal(prompts.Length, scored.Result.Records.Count);
    }

    [Fact]
    public void PerplexityLossIsTheWordPerplexity()
    {
        string[] texts = ["red green blue yes no", "bcbc abcd yes", "Colors:  blue\nand green."];

        var scored = Score("name: ppl\nkind: perplexity\ndata: data.parquet\ntext_column: text\n", ("text", texts.Select(t => (string?)t).ToArray()));

        double nll = texts.Sum(t => -_model.Score([TestTokenizerFiles.BosId], _model.Tokenizer.Encode(t, false)).LogLikelihood);
        double words = texts.Sum(t => Regex.Split(t, @"\s+").Length);
        Assert.Equal(TaskLoss.WordPerplexity, scored.Loss.Name);
        Assert.False(scored.Loss.HigherIsBetter);
        Assert.True(Math.Abs(Math.Exp(nll / words) - scored.Loss.Value) <= 1e-4 * scored.Loss.Value, $"word_perplexity {scored.Loss.Value} vs independent {Math.Exp(nll / words)}");
    }
}
