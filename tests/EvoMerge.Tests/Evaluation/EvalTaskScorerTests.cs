using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>Per-item values of an eval task aggregate back to the evaluator's own metrics, on the whole task and on subsets.</summary>
public sealed class EvalTaskScorerTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly EvalTestModel _model = new(seed: 3);

    public void Dispose()
    {
        _model.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void PerplexityItemsAggregateToTheEvaluatorsMetrics()
    {
        string[] texts = ["red green blue yes no", " Colors:  blue\nand green. ", "bcbc abcd yes"];
        TestParquet.Write(_directory.Combine("ppl.parquet"), [("text", texts.Select(t => (string?)t).ToArray())]);
        File.WriteAllText(_directory.Combine("ppl.yml"), "name: ppl\nkind: perplexity\ndata: ppl.parquet\ntext_column: text\n");
        var task = EvalTask.Load(_directory.Combine("ppl.yml"));
        var scorer = new EvalTaskScorer(task, _model.Tokenizer);
        var expected = new Evaluator(_model.Model, _model.Tokenizer).Evaluate(task);
        var items = scorer.ScoreItems(_model.Model, [0, 1, 2]);
        foreach (string metric in new[] { "word_perplexity", "byte_perplexity", "bits_per_byte" })
        {
            Assert.False(scorer.HigherIsBetter(metric));
            Assert.False(scorer.IsItemMean(metric));
            double value = scorer.Aggregate(metric, items[metric]);
            Assert.True(Math.Abs(value - expected.Metric(metric).Value) <= 1e-9 * Math.Abs(value), $"{metric}: {value} vs {expected.Metric(metric).Value}");
        }
        Assert.Equal("ppl", scorer.Split);
        Assert.False(scorer.IsTestSplit);
    }

    [Fact]
    public void MultipleChoiceSubsetsGiveTheWholeTasksItemValues()
    {
        string?[] prompts = ["Q: Color of the sky?\nA:", "Q: Say yes?\nA:", "Q: Pick one?\nA:", "Q: Color of grass?\nA:"];
        string[][] choices = [["blue", "red", "green"], ["yes", "no"], ["bc", "abcd", "x"], ["green", "blue"]];
        TestParquet.Write(_directory.Combine("mc-test.parquet"), [("q", prompts), ("choices", choices), ("label", new long[] { 0, 0, 2, 0 })]);
        File.WriteAllText(_directory.Combine("mc.yml"), "name: mc\nkind: multiple_choice\ndata: mc-test.parquet\nprompt: '{q}'\nchoices_column: choices\nanswer_column: label\n");
        var task = EvalTask.Load(_directory.Combine("mc.yml"));
        var scorer = new EvalTaskScorer(task, _model.Tokenizer);
        Assert.True(scorer.IsTestSplit);
        var expected = new Evaluator(_model.Model, _model.Tokenizer).Evaluate(task);
        var whole = scorer.ScoreItems(_model.Model, [0, 1, 2, 3]);
        Assert.Equal(expected.Metric("acc").Value, scorer.Aggregate("acc", whole["acc"]), 12);
        Assert.Equal(expected.Metric("acc_norm").Value, scorer.Aggregate("acc_norm", whole["acc_norm"]), 12);
        var part = scorer.ScoreItems(_model.Model, [3, 1]);
        Assert.Equal([whole["acc"][3], whole["acc"][1]], part["acc"]);
        Assert.True(scorer.HigherIsBetter("acc") && scorer.IsItemMean("acc"));
    }
}
