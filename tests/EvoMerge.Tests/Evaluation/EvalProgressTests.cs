using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>Evaluation progress: the evaluator's reports, their log line and ETA, the throttled log, and the bar's description.</summary>
public sealed class EvalProgressTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly EvalTestModel _model = new(seed: 5);

    public void Dispose()
    {
        _model.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void TheLogLineSaysDocumentsDoneElapsedAndEta()
    {
        // 120 of 400 in 35 s: 280 left at 35/120 s each = 81.67 s.
        Assert.Equal("eval: gsm8k 120/400 documents, 35 s elapsed, ETA 82 s", new EvalProgress("gsm8k", 120, 400, TimeSpan.FromSeconds(35)).LogLine());
        Assert.Equal("eval: gsm8k 0/400 documents, 0 s elapsed", new EvalProgress("gsm8k", 0, 400, TimeSpan.Zero).LogLine());
        Assert.Equal("eval: gsm8k 400/400 documents, 90 s elapsed, ETA 0 s", new EvalProgress("gsm8k", 400, 400, TimeSpan.FromSeconds(90)).LogLine());
    }

    [Fact]
    public void TheLogWritesEveryIntervalOfATasksTimeAndAtItsEnd()
    {
        var lines = new List<string>();
        var log = new EvalProgressLog(lines.Add, TimeSpan.FromSeconds(10));
        foreach (var (done, seconds) in new[] { (0, 0), (8, 4), (16, 10), (24, 12), (32, 21), (40, 25) }) log.Report(new EvalProgress("a", done, 40, TimeSpan.FromSeconds(seconds)));
        log.Report(new EvalProgress("b", 0, 8, TimeSpan.Zero));
        log.Report(new EvalProgress("b", 4, 8, TimeSpan.FromSeconds(9)));
        log.Report(new EvalProgress("b", 8, 8, TimeSpan.FromSeconds(12)));
        // a: 10 s after its start (16/40: 24 left at 10/16 s each = 15 s), 11 s after that, and its end; b: its end only (9 s < 10 s).
        Assert.Equal(
            [
                "eval: a 16/40 documents, 10 s elapsed, ETA 15 s", "eval: a 32/40 documents, 21 s elapsed, ETA 5 s", "eval: a 40/40 documents, 25 s elapsed, ETA 0 s",
                "eval: b 8/8 documents, 12 s elapsed, ETA 0 s",
            ], lines);
    }

    [Theory]
    [InlineData(45, "arithmetic-answer-long-name 120/400 documents")]
    [InlineData(30, "arithmetic-… 120/400 documents")]
    [InlineData(18, "120/400 documents")]
    [InlineData(10, "120/400 d…")]
    public void TheBarDescriptionFitsItsWidthShorteningTheTaskName(int width, string expected)
    {
        string text = new EvalProgress("arithmetic-answer-long-name", 120, 400, TimeSpan.FromSeconds(1)).Description(width);
        Assert.Equal(expected, text);
        Assert.True(text.Length <= width);
    }

    [Fact]
    public void TheEvaluatorReportsEachGenerationBatchAndEachTasksStartAndEnd()
    {
        string[] prompts = ["Q: 1\nA:", "Q: 22\nA:", "Q: 333\nA:", "Q: 4\nA:", "Q: 55\nA:"];
        TestParquet.Write(_directory.Combine("gen.parquet"), [("q", prompts.Select(p => (string?)p).ToArray()), ("a", prompts.Select(_ => (string?)"1").ToArray())]);
        File.WriteAllText(_directory.Combine("gen.yml"), "name: gen\nkind: generate\ndata: gen.parquet\nprompt: '{q}'\ntarget_column: a\nuntil: ['\\n']\nmax_new_tokens: 3\n");
        var progress = new RecordingProgress();
        new Evaluator(_model.Model, _model.Tokenizer, new EvaluatorOptions { GenerationBatchSize = 2, Progress = progress }).Evaluate([EvalTask.Load(_directory.Combine("gen.yml"))]);

        // Five prompts in batches of two: 0 at the start, 2 and 4 after the first two batches, 5 at the end.
        Assert.Equal([("gen", 0, 5), ("gen", 2, 5), ("gen", 4, 5), ("gen", 5, 5)], progress.Reports.Select(r => (r.Task, r.Done, r.Total)));
        Assert.True(progress.Reports.Zip(progress.Reports.Skip(1)).All(p => p.First.Elapsed <= p.Second.Elapsed), "elapsed time only grows");
    }

    private sealed class RecordingProgress : IProgress<EvalProgress>
    {
        public List<EvalProgress> Reports { get; } = [];

        public void Report(EvalProgress value) => Reports.Add(value);
    }
}
