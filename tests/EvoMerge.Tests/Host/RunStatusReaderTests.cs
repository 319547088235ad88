using EvoMerge.Host;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using EvoMerge.Tests.Search;
using Xunit;

namespace EvoMerge.Tests.Host;

/// <summary><c>evomerge status</c> from a run's files: alive while a process holds the run's lock, finished once the checkpoint reached the budget.</summary>
public sealed class RunStatusReaderTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    [Fact]
    public void ARunIsRunningWhileItsLockIsHeldAndFinishedAfterItsBudget()
    {
        var config = SearchConfigReader.ReadFile(fixture.Config("status", "  methods: [task_arithmetic]\n  layer_groups: 1", population: 4, generations: 1));
        string directory = fixture.RunDirectory("status");
        using (var run = SearchRun.Start(config))
        {
            var opened = RunStatusReader.Read(directory);
            Assert.Equal("running", opened.State);
            Assert.True(opened.Alive);
            Assert.Equal(0, opened.Generation);
            Assert.Equal(0, opened.EvaluationsDone);
            Assert.Equal(1, opened.GenerationsBudget);
            Assert.Null(opened.EvaluationsBudget);
            Assert.Equal("status", opened.RunId);
            Assert.Equal(Path.GetFullPath(directory), opened.RunDirectory);
            run.Run();
        }
        var ended = RunStatusReader.Read(directory);
        Assert.Equal("finished", ended.State);
        Assert.False(ended.Alive);
        Assert.Equal(1, ended.Generation);
        Assert.InRange(ended.EvaluationsDone, 1, 4); // 4 candidates, cache hits not counted
        Assert.InRange(ended.ArchiveSize, 1, 4);
        Assert.Equal(0, ended.EtaSeconds);
        Assert.Equal(["a", "b"], ended.Best.Keys);
    }

    [Fact]
    public void ADirectoryWithoutRunFilesIsNotARun()
    {
        using var temp = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => RunStatusReader.Read(temp.Path));
        Assert.Contains("not a run directory (no run.json / config.yml)", e.Message);
    }
}
