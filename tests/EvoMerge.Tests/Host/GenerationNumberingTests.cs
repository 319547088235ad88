using System.Text.Json;
using EvoMerge.Host;
using EvoMerge.Plots;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using EvoMerge.Tests.Search;
using Xunit;

namespace EvoMerge.Tests.Host;

/// <summary>Generations are numbered from 0 everywhere a user sees one: log lines, progress, status, plot titles, and the run's files.</summary>
public sealed class GenerationNumberingTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    private const string Genome = "  methods: [task_arithmetic]\n  layer_groups: 1";

    [Fact]
    public void TheLogLineTheStatusAndThePlotTitleNameTheSameGeneration()
    {
        var config = SearchConfigReader.ReadFile(fixture.Config("numbering", Genome, population: 4, generations: 2));
        var log = new CapturingLogger<SearchLogObserver>();
        var progress = new RunProgress();
        var plots = new RunPlots(problem => Assert.Fail(problem));
        using (var run = SearchRun.Start(config, new SearchObserverFanOut([progress, new SearchLogObserver(log, progress), plots])))
        {
            progress.Attach(run, RunIdentity.Of(run.Setup.Config.RunDirectory, run.Setup.Config.Text));
            plots.Attach(run);
            run.Run();

            // A budget of two generations: generations 0 and 1, so every view names generation 1 as the last.
            Assert.Equal("generation 1 done", progress.Activity.Text);
            Assert.Equal(1, progress.Snapshot()!.LastGeneration);
            Assert.Equal("Pareto front after generation 1", FrontPlotData.Of(run, []).Title);
        }
        var done = log.Messages.Where(m => m.Contains(" done in ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, done.Count);
        Assert.StartsWith("generation 0 done in ", done[0]);
        Assert.StartsWith("generation 1 done in ", done[1]);

        // `evomerge status` (the /status document, from the files): generation counts completed generations, last_generation names the last.
        var status = JsonDocument.Parse(JsonSerializer.Serialize(RunStatusReader.Read(config.RunDirectory), RunStatus.Json)).RootElement;
        Assert.Equal(2, status.GetProperty("generation").GetInt32());
        Assert.Equal(1, status.GetProperty("last_generation").GetInt32());

        // The stored files number them the same way.
        var rows = new EvaluationLog(new RunFiles(config.RunDirectory).Evaluations, ["a", "b"], 0).Read();
        Assert.Equal([0, 1], rows.Select(r => r.Generation).Distinct().Order());
    }

    [Fact]
    public void WhileReferenceModelsAreScoredTheProgressSaysSo()
    {
        var config = SearchConfigReader.ReadFile(fixture.Config("references", Genome, population: 4, generations: 1));
        var progress = new RunProgress();
        var recorder = new ActivityRecorder(progress);
        var plots = new RunPlots(problem => Assert.Fail(problem));
        using var run = SearchRun.Start(config, new SearchObserverFanOut([progress, recorder, plots]));
        progress.Attach(run, RunIdentity.Of(run.Setup.Config.RunDirectory, run.Setup.Config.Text));
        plots.Attach(run);
        Assert.Equal(("starting", 0, 0), progress.Activity);
        run.Run();

        // Four candidates of generation 0, then its end, then the six reference models (the base, sources a and b, three
        // plain merges) scored for the front plot, then generation 0 done again.
        Assert.Equal(
            [
                "candidate 0/4 of generation 0", "candidate 1/4 of generation 0", "candidate 2/4 of generation 0", "candidate 3/4 of generation 0",
                "candidate 4/4 of generation 0", "generation 0 done",
                "scoring reference models (0/6)", "scoring reference models (1/6)", "scoring reference models (2/6)", "scoring reference models (3/6)",
                "scoring reference models (4/6)", "scoring reference models (5/6)", "generation 0 done",
            ],
            recorder.Texts);
        Assert.Equal(("generation 0 done", 0, 0), progress.Activity);
    }
}
