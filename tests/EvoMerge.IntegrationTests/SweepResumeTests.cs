using System.Text.Json;
using Xunit;

using static EvoMerge.IntegrationTests.LoopbackHttp;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge sweep</c> as a child process: a sweep killed with SIGKILL in the middle, or stopped with SIGTERM while
/// its <c>/status</c> and <c>/metrics</c> are read over 127.0.0.1, resumes with <c>sweep --resume RUN_DIR</c> to the
/// same tables as an uninterrupted sweep, evaluating only the points the checkpoint lacks; a second start in the same
/// run directory is refused, and so is a resume after a task file changed.
/// </summary>
public class SweepResumeTests
{
    private const int Kill = 9;
    private const int Points = 5 + 11 + 3;

    private static readonly string[] Tables = ["sweep-table.md", "sweep-table.json", "sweep-table.parquet"];

    [Fact]
    public void ASweepKilledOrStoppedMidwayResumesToTheSameTable()
    {
        using var temp = new TempDirectory();
        var run = SpecialistsRun.Write(temp, "sweep.yml", """
            sweep:
              grid: {method: ties, parameters: {density: [0.2, 0.4, 0.6, 0.8, 1.0]}}
              path: {method: task_arithmetic, parameters: {weight: 1.0}}
              greedy_soup: true
            run_dir: runs/default

            """);
        string whole = Path.Combine(temp.Path, "runs", "whole"), killed = Path.Combine(temp.Path, "runs", "killed"), stopped = Path.Combine(temp.Path, "runs", "stopped");
        string Config(string directory)
        {
            string path = run.Config + "." + Path.GetFileName(directory) + ".yml";
            File.WriteAllText(path, File.ReadAllText(run.Config).Replace("runs/default", directory, StringComparison.Ordinal));
            return path;
        }

        var uninterrupted = CliRunner.Run(TimeSpan.FromMinutes(5), "sweep", Config(whole));
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Stderr);
        Assert.Contains($"sweep point {Points} of {Points}", uninterrupted.Stderr);
        Assert.Contains("| greedy soup |", uninterrupted.Stdout);
        foreach (string file in Tables.Concat(["sweep-grid.png", "sweep-path.png", "sweep.json", "config.yml", "run.json"]))
            Assert.True(File.Exists(Path.Combine(whole, file)), file + " not written");

        var (killCode, _) = SpecialistsRun.Interrupt(Kill, ["sweep point 3 of"], null, "sweep", Config(killed));
        Assert.NotEqual(0, killCode);
        Assert.False(File.Exists(Path.Combine(killed, "sweep-table.md")), "the kill came after the sweep finished");
        int before = File.ReadAllText(Path.Combine(killed, "sweep.json")).Split("\"hash\"").Length - 1;
        Assert.InRange(before, 3, Points - 1);

        var again = CliRunner.Run("sweep", Config(killed));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("sweep --resume", again.Stderr);

        var resume = CliRunner.Run(TimeSpan.FromMinutes(5), "sweep", "--resume", killed);
        Assert.True(resume.ExitCode == 0, resume.Stderr);
        Assert.Contains($"{before} points evaluated so far", resume.Stderr);
        Assert.Equal(Points - before, resume.Stderr.Split('\n').Count(l => l.Contains("sweep point ", StringComparison.Ordinal)));
        AssertSameTables(whole, killed);
        Assert.Equal(uninterrupted.Stdout, resume.Stdout);

        // SIGTERM: /status and /metrics served while the sweep runs; the point in progress finishes, exit 0.
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        JsonDocument? status = null;
        PrometheusExposition? metrics = null;
        var (stopCode, stopStderr) = SpecialistsRun.Interrupt(PosixSignal.Terminate, ["sweep point 2 of"], process =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            status = JsonDocument.Parse(Get(http, url + "/status") ?? throw new InvalidOperationException("no /status; stderr:\n" + process.Stderr));
            metrics = PrometheusExposition.Parse(Get(http, url + "/metrics") ?? throw new InvalidOperationException("no /metrics; stderr:\n" + process.Stderr));
            // The signal goes right after the next point starts, not after the requests (on a loaded machine the sweep can
            // run through its remaining points while they are answered).
            int started = process.Stderr.Split('\n').Count(l => l.Contains("sweep point ", StringComparison.Ordinal));
            Assert.True(process.WaitForLine($"sweep point {started + 1} of", TimeSpan.FromMinutes(3)),
                $"the sweep ended before the stop could be sent; stderr:\n{process.Stderr}");
        }, "sweep", Config(stopped), "--metrics-url", url);
        Assert.True(stopCode == 0, $"exit code {stopCode} after SIGTERM; stderr:\n{stopStderr}");
        Assert.Contains("stopped at a safe point", stopStderr);
        Assert.Contains("sweep --resume " + stopped, stopStderr);
        Assert.False(File.Exists(Path.Combine(stopped, "sweep-table.md")), "the stop came after the sweep finished");

        var live = status!.RootElement;
        Assert.Equal("sweep", live.GetProperty("kind").GetString());
        Assert.Contains(live.GetProperty("state").GetString(), new[] { "running", "stopping" });
        Assert.Equal(Points, live.GetProperty("points_total").GetInt32());
        int done = live.GetProperty("points_done").GetInt32();
        Assert.InRange(done, 2, Points - 1);
        Assert.Equal(stopped, live.GetProperty("run_directory").GetString());
        Assert.Equal(JsonValueKind.Number, live.GetProperty("best").GetProperty("dev_score").ValueKind);
        Assert.Equal(Points, metrics!.Sum("evomerge_sweep_points_planned"));
        Assert.InRange(metrics.Sum("evomerge_sweep_points_done"), done, Points - 1);
        Assert.InRange(metrics.Sum("evomerge_evaluations_total"), done, Points - 1);
        Assert.Single(metrics.Named("evomerge_run_info"));

        var afterStop = CliRunner.Run(TimeSpan.FromMinutes(5), "sweep", "--resume", stopped);
        Assert.True(afterStop.ExitCode == 0, afterStop.Stderr);
        AssertSameTables(whole, stopped);

        // An input changed since the sweep started: its checkpointed scores are not the new inputs'.
        File.AppendAllText(Path.Combine(run.Layout.Root, "tasks", "a.yml"), "# edited\n");
        var changed = CliRunner.Run("sweep", "--resume", stopped);
        Assert.Equal(1, changed.ExitCode);
        Assert.StartsWith($"evomerge: error: sweep --resume {stopped}: task file {Path.Combine(run.Layout.Root, "tasks", "a.yml")} changed since the run started", changed.Stderr);
        Assert.Single(changed.Stderr.Trim().Split('\n'));
    }

    private static void AssertSameTables(string expected, string actual)
    {
        foreach (string file in Tables)
            Assert.Equal(File.ReadAllBytes(Path.Combine(expected, file)), File.ReadAllBytes(Path.Combine(actual, file)));
    }
}
