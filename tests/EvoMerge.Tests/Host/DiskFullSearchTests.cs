using System.Text.Json;
using EvoMerge.Host;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using EvoMerge.Tensors;
using EvoMerge.Tests.Search;
using Xunit;

namespace EvoMerge.Tests.Host;

/// <summary>
/// A full disk while a hosted search checkpoints is one error naming the file and the generation being written (the
/// one its log lines carry), the previous checkpoint stays whole, and a resume finishes the run.
/// </summary>
public class DiskFullSearchTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    /// <summary>Writes as the run store does, except that checkpoint.json fails with ENOSPC from its <c>failOn</c>-th write on.</summary>
    private sealed class FillsUp(int failOn) : RunFileWriter
    {
        private int _checkpoints;

        public override void WriteAllText(string path, string text)
        {
            if (Path.GetFileName(path) == "checkpoint.json" && ++_checkpoints >= failOn)
                throw new IOException($"No space left on device : '{path}'", DiskFull.Errno);
            base.WriteAllText(path, text);
        }
    }

    [Fact]
    public void A_full_disk_while_checkpointing_names_the_file_and_the_generation_and_keeps_the_previous_checkpoint()
    {
        var config = SearchConfigReader.ReadFile(fixture.Config("full", "  methods: [task_arithmetic]\n  layer_groups: 1", population: 4, generations: 3));
        var files = new RunFiles(config.RunDirectory);
        var overrides = new Dictionary<string, string?> { ["metrics_url"] = "http://127.0.0.1:0", ["progress"] = "log" };

        // Generations 0 and 1 are evaluated; generation 1's checkpoint (the second) finds the disk full.
        var error = Assert.Throws<RunStorageFullException>(() => SearchHost.Run(
            observer => SearchRun.Start(config, observer, writer: new FillsUp(failOn: 2)), _ => "search", overrides, _ => { }));

        Assert.Equal($"no space left on device writing {files.Checkpoint} (generation 1); the previous checkpoint is intact: "
            + $"free space, then `evomerge resume {config.RunDirectory}`", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        var kept = JsonSerializer.Deserialize<SearchCheckpoint>(File.ReadAllText(files.Checkpoint), SearchCheckpoint.Json)!;
        Assert.Equal(1, kept.Generation);
        Assert.Empty(Directory.GetFiles(config.RunDirectory, "crash-report-*"));

        using var resumed = SearchRun.Resume(config.RunDirectory);
        Assert.Equal(1, resumed.Generation);
        resumed.Run();
        Assert.Equal(3, resumed.Generation);
    }

    [Fact]
    public void Only_a_full_disk_is_recognised_as_one()
    {
        Assert.True(DiskFull.Is(new IOException("No space left on device", DiskFull.Errno)));
        Assert.False(DiskFull.Is(new IOException("Permission denied", 13)));
        Assert.False(DiskFull.Is(new InvalidOperationException("no space")));
    }
}
