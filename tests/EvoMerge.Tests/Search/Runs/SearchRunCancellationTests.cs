using System.Text.Json;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using Xunit;


namespace EvoMerge.Tests.Search.Runs;

/// <summary>Cancellation between candidates: the generation in progress is abandoned, the previous checkpoint stays, and a resume ends like an uninterrupted run.</summary>
public class SearchRunCancellationTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    private const string Genome = "  methods: [ties, task_arithmetic]\n  layer_groups: 2\n  ranges:\n    weight: [0, 2]";

    [Fact]
    public void ACancelledGenerationIsRedoneFromThePreviousCheckpoint()
    {
        var whole = SearchConfigReader.ReadFile(fixture.Config("uncancelled", Genome, population: 6, generations: 3));
        using (var run = SearchRun.Start(whole)) run.Run();

        var config = SearchConfigReader.ReadFile(fixture.Config("cancelled", Genome, population: 6, generations: 3));
        var files = new RunFiles(config.RunDirectory);
        var observer = new CancellingObserver(generation: 1, index: 2);
        using (var run = SearchRun.Start(config, observer))
        {
            Assert.Throws<OperationCanceledException>(() => run.Run(observer.Cancellation.Token));
            Assert.Equal(1, run.Generation);
        }
        Assert.Equal(3, observer.Records.Count(r => r.Generation == 1)); // candidates 0..2, then the check before candidate 3
        Assert.Contains(observer.Records, r => !r.Cached && r.TokensScored > 0);
        Assert.All(observer.Records.Where(r => r.Cached), r => Assert.Equal(0, r.TokensScored));
        var checkpoint = JsonSerializer.Deserialize<SearchCheckpoint>(File.ReadAllText(files.Checkpoint), SearchCheckpoint.Json)!;
        Assert.Equal(1, checkpoint.Generation);
        Assert.Equal(1, new EvaluationLog(files.Evaluations, ["a", "b"], 0).RowGroupCount());

        using (var resumed = SearchRun.Resume(config.RunDirectory))
        {
            Assert.Equal(1, resumed.Generation);
            resumed.Run();
        }
        Assert.Equal(File.ReadAllText(new RunFiles(whole.RunDirectory).Archive), File.ReadAllText(files.Archive));
    }
}
