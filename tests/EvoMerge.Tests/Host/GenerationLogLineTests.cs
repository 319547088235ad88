using EvoMerge.Host;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using EvoMerge.Tests.Search;
using Xunit;

namespace EvoMerge.Tests.Host;

/// <summary>The "generation g done" log line names the best objective values, or says that no candidate was scored in full.</summary>
public sealed class GenerationLogLineTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    [Fact]
    public void AGenerationWithoutAFullyScoredCandidateSaysSoInsteadOfPrintingNaN()
    {
        var config = SearchConfigReader.ReadFile(fixture.Config("log-line", "  methods: [task_arithmetic]\n  layer_groups: 1", population: 4, generations: 1));
        var progress = new RunProgress();
        var log = new CapturingLogger<SearchLogObserver>();
        var observer = new SearchLogObserver(log, progress);
        using var run = SearchRun.Start(config, progress);
        progress.Attach(run, RunIdentity.Of(run.Setup.Config.RunDirectory, run.Setup.Config.Text));

        observer.GenerationFinished(Statistics(3, [double.NaN, double.NaN]));
        observer.GenerationFinished(Statistics(4, [0.5, 0.25]));

        Assert.Equal(2, log.Messages.Count);
        Assert.EndsWith("; best none (no candidate of this generation was scored in full)", log.Messages[0]);
        Assert.DoesNotContain("NaN", log.Messages[0]);
        Assert.EndsWith("; best a=0.5 b=0.25", log.Messages[1]);
    }

    private static GenerationStatistics Statistics(int generation, double[] best) => new()
    {
        Generation = generation, Candidates = 8, Scored = 8, CacheHits = 0, Screened = 8, Failed = 0, ItemEvaluations = 100, ItemEvaluationsSaved = 400,
        FrontSize = 3, Hypervolume = 0.25, Best = best, Mean = best, Seconds = 1, MaterializeSeconds = 0.5, ScoreSeconds = 0.5,
    };
}
