using System.Text.Json;
using EvoMerge.Evaluation;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>Result JSON, the per-document sample log, and flat memory over repeated evaluations.</summary>
public sealed class EvalOutputTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly EvalTestModel _model = new();

    public void Dispose()
    {
        _model.Dispose();
        _directory.Dispose();
    }

    private List<EvalTask> Tasks()
    {
        TestParquet.Write(_directory.Combine("mc.parquet"),
            [("q", new string?[] { "Q: sky?\nA:", "Q: grass?\nA:" }), ("choices", new[] { new[] { "blue", "red" }, new[] { "green", "no", "yes" } }), ("label", new long[] { 0, 0 })]);
        TestParquet.Write(_directory.Combine("gen.parquet"), [("q", new string?[] { "Say:", "Tell:" }), ("a", new string?[] { "yes", "no" })]);
        TestParquet.Write(_directory.Combine("ppl.parquet"), [("text", new string?[] { "blue yes", "red no green" })]);
        File.WriteAllText(_directory.Combine("mc.yml"), "name: mc\nkind: multiple_choice\ndata: mc.parquet\nprompt: '{q}'\nchoices_column: choices\nanswer_column: label\n");
        File.WriteAllText(_directory.Combine("gen.yml"), "name: gen\nkind: generate\ndata: gen.parquet\nprompt: '{q}'\ntarget_column: a\nmax_new_tokens: 4\n");
        File.WriteAllText(_directory.Combine("ppl.yml"), "name: ppl\nkind: perplexity\ndata: ppl.parquet\ntext_column: text\n");
        return new[] { "mc.yml", "gen.yml", "ppl.yml" }.Select(f => EvalTask.Load(_directory.Combine(f))).ToList();
    }

    [Fact]
    public void SampleLogHasOneObjectPerDocumentWithTheKindsFields()
    {
        var result = new Evaluator(_model.Model, _model.Tokenizer).Evaluate(Tasks());
        using var stream = new MemoryStream();
        EvalSampleLog.Write(result, stream);
        var lines = System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        var samples = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();

        var mc = result.Task("mc").Records.Cast<MultipleChoiceRecord>().ToList();
        Assert.Equal("mc", samples[1].GetProperty("task").GetString());
        Assert.Equal(1, samples[1].GetProperty("doc_index").GetInt32());
        var lls = samples[1].GetProperty("loglikelihoods").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.Equal(mc[1].LogLikelihoods, lls);
        Assert.Equal(3, samples[1].GetProperty("is_greedy").GetArrayLength());
        Assert.Equal(mc[1].Prediction, samples[1].GetProperty("prediction").GetInt32());
        Assert.Equal(0, samples[1].GetProperty("answer").GetInt32());

        var gen = (GenerationRecord)result.Task("gen").Records[0];
        Assert.Equal("gen", samples[2].GetProperty("task").GetString());
        Assert.Equal(gen.Generated, samples[2].GetProperty("generated").GetString());
        Assert.Equal(gen.Extracted, samples[2].GetProperty("extracted").GetString());
        Assert.Equal("yes", samples[2].GetProperty("target").GetString());
        Assert.Equal(gen.Correct, samples[2].GetProperty("correct").GetBoolean());

        var ppl = (PerplexityRecord)result.Task("ppl").Records[1];
        Assert.Equal(ppl.LogLikelihood, samples[5].GetProperty("loglikelihood").GetDouble());
        Assert.Equal(ppl.Tokens, samples[5].GetProperty("tokens").GetInt32());
        Assert.True(ppl.LogLikelihood < 0);
    }

    [Fact]
    public void ResultJsonHoldsEveryMetricWithItsStandardError()
    {
        var result = new Evaluator(_model.Model, _model.Tokenizer).Evaluate(Tasks());
        using var stream = new MemoryStream();
        EvalResultJson.Write(result, _model.Path, stream);
        using var document = JsonDocument.Parse(stream.ToArray());
        var tasks = document.RootElement.GetProperty("tasks").EnumerateArray().ToList();
        Assert.Equal(_model.Path, document.RootElement.GetProperty("model").GetString());
        Assert.Equal(["mc", "gen", "ppl"], tasks.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal("multiple_choice", tasks[0].GetProperty("kind").GetString());
        var acc = tasks[0].GetProperty("metrics").GetProperty("acc");
        Assert.Equal(result.Task("mc").Metric("acc").Value, acc.GetProperty("value").GetDouble());
        Assert.Equal(result.Task("mc").Metric("acc").StandardError!.Value, acc.GetProperty("stderr").GetDouble());
        Assert.Equal(2, acc.GetProperty("n").GetInt32());
        Assert.True(tasks[1].GetProperty("metrics").TryGetProperty("exact_match", out _));
        Assert.Equal(result.Task("ppl").Metric("bits_per_byte").Value, tasks[2].GetProperty("metrics").GetProperty("bits_per_byte").GetProperty("value").GetDouble());
    }

    [Fact]
    public void DuplicateTaskNamesAreRejected()
    {
        var tasks = Tasks();
        var error = Assert.Throws<ArgumentException>(() => new Evaluator(_model.Model, _model.Tokenizer).Evaluate([tasks[0], tasks[0]]));
        Assert.Contains("task name 'mc'", error.Message);
    }

    [Fact]
    public void LiveTensorCountStaysFlatOverRepeatedEvaluations()
    {
        var tasks = Tasks();
        var evaluator = new Evaluator(_model.Model, _model.Tokenizer);
        var first = evaluator.Evaluate(tasks);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 5; i++)
        {
            var again = evaluator.Evaluate(tasks);
            Assert.Equal(first.Task("mc").Metric("acc").Value, again.Task("mc").Metric("acc").Value);
        }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
