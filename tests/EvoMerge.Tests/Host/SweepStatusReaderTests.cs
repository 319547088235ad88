using System.Text.Json.Nodes;
using EvoMerge.Demo;
using EvoMerge.Host;
using EvoMerge.Search.Sweeps;
using Xunit;

namespace EvoMerge.Tests.Host;

/// <summary>
/// <c>evomerge status</c> on a sweep's run directory (<see cref="RunStatusReader.ReadJson"/>), from its files: a real
/// sweep over the tiny specialists stopped after two of its five points, then resumed to the end. The expected best
/// point is read from the sweep's own files (sweep.json, sweep-table.json) by the test.
/// </summary>
public class SweepStatusReaderTests
{
    private static JsonNode Status(string directory) => JsonNode.Parse(RunStatusReader.ReadJson(directory))!;

    private static (string Label, double Score) BestOf(JsonArray rows, string score) =>
        rows.Select(r => ((string)r!["label"]!, (double)r[score]!)).Where(r => double.IsFinite(r.Item2)).MaxBy(r => r.Item2);

    [Fact]
    public void AStoppedSweepShowsItsCheckpointedPointsAndBestAndAFinishedOneAllOfThem()
    {
        using var temp = new TempDirectory("evomerge-sweep-status");
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 16);
        string config = Path.Combine(layout.Root, "status.yml");
        File.WriteAllText(config, "base_model: models/base\nmodels: [models/a, models/b]\n" + layout.ObjectivesYaml()
            + "sweep:\n  grid: {method: ties, parameters: {density: [0.4, 0.8]}}\n  greedy_soup: true\nrun_dir: runs/status\n");
        using var stop = new CancellationTokenSource();
        int evaluated = 0;
        string directory;
        using (var run = SweepRun.Start(SweepConfigReader.ReadFile(config), _ => { if (++evaluated == 2) stop.Cancel(); }, scoreCache: false))
        {
            directory = run.Setup.Config.RunDirectory;
            Assert.Throws<OperationCanceledException>(() => run.Run(stop.Token));
            var held = Status(directory);
            Assert.Equal(("running", true), ((string)held["state"]!, (bool)held["alive"]!));
        }

        var stopped = Status(directory);
        Assert.Equal("sweep", (string)stopped["kind"]!);
        Assert.Equal(("not running", false), ((string)stopped["state"]!, (bool)stopped["alive"]!));
        Assert.Equal((2, 5), ((int)stopped["points_done"]!, (int)stopped["points_total"]!)); // grid 0.4, 0.8; soup a, b, {a, b}
        Assert.Equal(2, (int)stopped["from_checkpoint"]!);
        Assert.Null(stopped["eta_seconds"]);
        Assert.Equal("status", (string)stopped["run_id"]!);
        var checkpointed = BestOf(JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "sweep.json")))!["results"]!.AsArray(), "score");
        Assert.Equal(checkpointed, ((string)stopped["best"]!["label"]!, (double)stopped["best"]!["dev_score"]!));

        using (var run = SweepRun.Resume(directory, _ => { }, scoreCache: false)) run.Run();

        var finished = Status(directory);
        Assert.Equal(("finished", false), ((string)finished["state"]!, (bool)finished["alive"]!));
        Assert.Equal((5, 5), ((int)finished["points_done"]!, (int)finished["points_total"]!));
        Assert.Equal(0, (double)finished["eta_seconds"]!);
        var best = BestOf(JsonNode.Parse(File.ReadAllText(Path.Combine(directory, SweepTable.JsonFileName)))!["rows"]!.AsArray(), "dev_score");
        Assert.Equal(best, ((string)finished["best"]!["label"]!, (double)finished["best"]!["dev_score"]!));
    }
}
