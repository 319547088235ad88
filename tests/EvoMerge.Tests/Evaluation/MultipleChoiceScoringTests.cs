using EvoMerge.Evaluation;
using EvoMerge.Inference;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>A tiny model scored on a multiple-choice task, against log-softmax over full-sequence logits.</summary>
public sealed class MultipleChoiceScoringTests : IDisposable
{
    private static readonly string[] Questions = ["Color of the sky", "Color of grass", "Say yes", "Pick one", "", "Trailing"];
    private static readonly string[][] Choices =
    [
        ["blue", "red", "green"], ["green", "blue"], ["yes", "no", "blue yes"], ["bc", "abcd", "x"], ["red", "yes"], ["no", "yes", "green"],
    ];
    private static readonly long[] Answers = [0, 0, 1, 2, 1, 0];

    private readonly TempDirectory _directory = new();
    private readonly EvalTestModel _model = new();

    public void Dispose()
    {
        _model.Dispose();
        _directory.Dispose();
    }

    private EvalTask Task()
    {
        // "{q}" renders the question; row 4 gives an empty context, row 5 a context with trailing spaces.
        var prompts = Questions.Select((q, i) => (string?)(i switch { 4 => "", 5 => "Answer: \n ", _ => $"Q: {q}?\nA:" })).ToArray();
        TestParquet.Write(_directory.Combine("mc.parquet"), [("q", prompts), ("choices", Choices), ("label", Answers)]);
        File.WriteAllText(_directory.Combine("mc.yml"), "name: mc\nkind: multiple_choice\ndata: mc.parquet\nprompt: '{q}'\nchoices_column: choices\nanswer_column: label\n");
        return EvalTask.Load(_directory.Combine("mc.yml"));
    }

    /// <summary>lm-eval's pair encoding spelled out with direct tokenizer calls.</summary>
    private (List<int> Context, List<int> Continuation) Pair(string context, string continuation)
    {
        if (context.Length == 0) return ([TestTokenizerFiles.BosId], [.. _model.Tokenizer.Encode(continuation, false)]);
        string trimmed = context.TrimEnd();
        continuation = context[trimmed.Length..] + continuation;
        var whole = _model.Tokenizer.Encode(trimmed + continuation, false);
        var contextIds = _model.Tokenizer.Encode(trimmed, false);
        return ([.. contextIds], [.. whole.Skip(contextIds.Count)]);
    }

    [Theory]
    [InlineData(4096, true)]
    [InlineData(24, true)]
    [InlineData(24, false)]
    public void LogLikelihoodsAccAndAccNormMatchAnIndependentComputation(int tokenBudget, bool sharePrefixes)
    {
        var options = new EvaluatorOptions { Scoring = new LogLikelihoodOptions { TokenBudget = tokenBudget, SharePrefixes = sharePrefixes } };
        var result = new Evaluator(_model.Model, _model.Tokenizer, options).Evaluate(Task());

        Assert.Equal(EvalTaskKind.MultipleChoice, result.Kind);
        var records = result.Records.Cast<MultipleChoiceRecord>().ToList();
        Assert.Equal(Questions.Length, records.Count);
        var correct = new List<double>();
        var correctNorm = new List<double>();
        for (int d = 0; d < records.Count; d++)
        {
            var record = records[d];
            Assert.Equal(d, record.DocIndex);
            Assert.Equal((int)Answers[d], record.Answer);
            string context = d switch { 4 => "", 5 => "Answer: \n ", _ => $"Q: {Questions[d]}?\nA:" };
            var expected = Choices[d].Select(choice =>
            {
                var (contextIds, continuationIds) = Pair(context, " " + choice);
                return _model.Score(contextIds, continuationIds);
            }).ToList();
            for (int c = 0; c < expected.Count; c++)
            {
                Assert.True(Math.Abs(expected[c].LogLikelihood - record.LogLikelihoods[c]) <= 1e-4,
                    $"doc {d} choice {c}: evaluator {record.LogLikelihoods[c]} vs independent {expected[c].LogLikelihood}");
                Assert.Equal(expected[c].IsGreedy, record.IsGreedy[c]);
            }
            var lls = expected.Select(e => e.LogLikelihood).ToList();
            int prediction = lls.IndexOf(lls.Max());
            var normalized = lls.Select((ll, c) => ll / Choices[d][c].Length).ToList();
            int normalizedPrediction = normalized.IndexOf(normalized.Max());
            Assert.Equal(prediction, record.Prediction);
            Assert.Equal(normalizedPrediction, record.NormalizedPrediction);
            correct.Add(prediction == Answers[d] ? 1 : 0);
            correctNorm.Add(normalizedPrediction == Answers[d] ? 1 : 0);
        }

        AssertMeanMetric(result.Metric("acc"), correct);
        AssertMeanMetric(result.Metric("acc_norm"), correctNorm);
    }

    [Fact]
    public void TrailingSpacesOfTheContextAreScoredAsPartOfTheContinuation()
    {
        var request = new Evaluator(_model.Model, _model.Tokenizer).Encoder.Encode("Answer: \n ", " no");
        Assert.Equal(_model.Tokenizer.Encode("Answer:", false), request.Context);
        Assert.Equal(_model.Tokenizer.Encode("Answer: \n  no", false).Skip(request.Context.Count), request.Continuation);
        Assert.True(request.Continuation.Count >= 3);
    }

    private static void AssertMeanMetric(MetricValue metric, List<double> outcomes)
    {
        double mean = outcomes.Average();
        double variance = outcomes.Sum(o => (o - mean) * (o - mean)) / (outcomes.Count - 1);
        Assert.Equal(mean, metric.Value, 12);
        Assert.Equal(Math.Sqrt(variance / outcomes.Count), metric.StandardError!.Value, 12);
        Assert.Equal(outcomes.Count, metric.Count);
        Assert.True(metric.HigherIsBetter);
    }
}
