using System.Diagnostics.Metrics;
using System.Text.Json;
using EvoMerge.Host;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using Xunit;

namespace EvoMerge.Tests.Search.Runs;

/// <summary>
/// Racing in a real search of the tiny specialists: stopped candidates save item evaluations, are logged as screened and
/// never enter the archive; the saving is counted alike in the statistics, the evaluations log, the Prometheus counter
/// and /status; and a run resumed from a checkpoint mid-run ends with the same archive and log as an uninterrupted one.
/// </summary>
public sealed class RacingSearchTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    private const string Genome = "  methods: [ties, task_arithmetic]\n  layer_groups: 2\n  ranges:\n    weight: [0, 2]";

    private const string Racing = "evaluation:\n  racing:\n    rounds: 4\n    confidence: 0.9\n    margin: 0.05";

    private static IReadOnlyList<EvaluationRecord> Rows(SearchConfig config) =>
        new EvaluationLog(new RunFiles(config.RunDirectory).Evaluations, ["a", "b"], 0).Read();

    [Fact]
    public void Racing_saves_item_evaluations_reports_them_everywhere_and_keeps_stopped_candidates_out_of_the_archive()
    {
        var config = SearchConfigReader.ReadFile(fixture.Config("racing", Genome, population: 8, generations: 4, extra: Racing));
        var progress = new RunProgress();
        using var meters = new PlainMeterFactory();
        var metrics = new SearchMetrics(meters, progress);
        var counted = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // This run's meter only: other tests' searches in this process publish instruments of the same name.
            if (meters.Created(instrument.Meter) && instrument.Name.StartsWith("evomerge.item_evaluations", StringComparison.Ordinal)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => counted[instrument.Name] = counted.GetValueOrDefault(instrument.Name) + value);
        listener.Start();

        using var run = SearchRun.Start(config, new SearchObserverFanOut([progress, metrics]));
        progress.Attach(run, RunIdentity.Of(run.Setup.Config.RunDirectory, run.Setup.Config.Text));
        run.Run();

        var rows = Rows(config);
        var stopped = rows.Where(r => !r.Cached && r.Status == EvaluationStatus.Screened).ToList();
        Assert.NotEmpty(stopped);
        Assert.All(stopped, r => Assert.Contains("dominated by archive member", r.Reason));
        int items = rows.First(r => !r.Cached && r.Status == EvaluationStatus.Scored).ItemsEvaluated;
        Assert.All(stopped, r => Assert.True(r.ItemsSaved > 0 && r.ItemsEvaluated + r.ItemsSaved == items, $"{r.ItemsEvaluated} + {r.ItemsSaved} of {items}"));
        var stoppedHashes = stopped.Select(r => r.RecipeHash).ToHashSet(StringComparer.Ordinal);
        Assert.All(run.Archive, m => Assert.DoesNotContain(m.Key, stoppedHashes));

        long saved = run.Statistics.Sum(s => s.ItemEvaluationsSaved), done = run.Statistics.Sum(s => s.ItemEvaluations);
        Assert.Equal(rows.Sum(r => (long)r.ItemsSaved), saved);
        Assert.Equal(rows.Sum(r => (long)r.ItemsEvaluated), done);
        Assert.Equal(saved, counted["evomerge.item_evaluations.saved"]);
        Assert.Equal(done, counted["evomerge.item_evaluations"]);
        var status = progress.Snapshot()!;
        Assert.Equal(saved, status.ItemEvaluationsSaved);
        Assert.Equal(done, status.ItemEvaluations);
        var json = JsonDocument.Parse(JsonSerializer.Serialize(status, RunStatus.Json)).RootElement;
        Assert.Equal(saved, json.GetProperty("item_evaluations_saved").GetInt64());
        Assert.Equal(saved, RunStatusReader.Read(config.RunDirectory).ItemEvaluationsSaved);
    }

    [Fact]
    public void A_racing_run_resumed_mid_run_ends_with_the_same_archive_and_log_as_an_uninterrupted_one()
    {
        var (whole, split) = fixture.RunWholeAndResumed("racing", Genome, population: 6, generations: 5, extra: Racing);
        Assert.Equal(File.ReadAllText(new RunFiles(whole.RunDirectory).Archive), File.ReadAllText(new RunFiles(split.RunDirectory).Archive));
        static string Row(EvaluationRecord r) => $"{r.Generation}/{r.Index} {r.RecipeHash} {r.Status} {r.ItemsEvaluated} {r.ItemsSaved} {r.ItemScores}";
        var expected = Rows(whole).Select(Row).ToList();
        Assert.Contains(Rows(whole), r => r.Status == EvaluationStatus.Screened && r.Generation >= 2);
        Assert.Equal(expected, Rows(split).Select(Row).ToList());
    }
}
