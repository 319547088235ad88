using System.Text.Json;
using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>The hosted orchestrator's hard paths through the built CLI: bad settings, a second signal, an unhandled error.</summary>
public class HostedSearchFailureTests
{
    private static string WriteConfig(TinySpecialists.Layout layout)
    {
        string path = Path.Combine(layout.Root, "search.yml");
        File.WriteAllText(path, $"""
            base_model: models/base
            models: [models/a, models/b]
            {layout.ObjectivesYaml()}
            genome:
              methods: [ties, task_arithmetic]
              layer_groups: 2
            optimizer:
              name: nsga2
              settings:
                population_size: 6
            budget:
              generations: 200
            seed: 7
            run_dir: runs/r
            """);
        return path;
    }

    [Fact]
    public void InvalidHostSettingsAreOneLineErrorsBeforeAnythingRuns()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 8);
        string config = WriteConfig(layout);
        var format = CliRunner.Run("search", config, "--log-format", "xml", "--metrics-url", "ftp://x");
        Assert.Equal(1, format.ExitCode);
        string line = Assert.Single(format.Stderr.Trim().Split('\n'));
        Assert.Contains("--log-format / EVOMERGE_LOG_FORMAT: 'xml' must be text or json", line);
        Assert.Contains("--metrics-url / EVOMERGE_METRICS_URL: 'ftp://x' is not an http:// URL", line);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "runs", "r")), "nothing is written before the settings are valid");

        using var child = ChildProcess.Start(new Dictionary<string, string> { ["EVOMERGE_GRACE_PERIOD"] = "-3" }, "search", config);
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(1, child.ExitCode);
        Assert.Equal("evomerge: error: --grace-period / EVOMERGE_GRACE_PERIOD: -3 must be a positive number of seconds", child.Stderr.Trim());
    }

    [Fact]
    public void ASecondSignalExitsAtOnceAndTheLastCheckpointStaysValid()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 200);
        string config = WriteConfig(layout);
        string run = Path.Combine(temp.Path, "runs", "r");
        using var child = ChildProcess.Start(new Dictionary<string, string>(), "search", config, "--metrics-url", "http://127.0.0.1:0", "--grace-period", "60", "--log-format", "json");
        Assert.True(child.WaitForLine("\"generation 1 candidate 1:", TimeSpan.FromSeconds(240)), child.Stderr); // generation 0 and the reference models took over 60 s at load 36
        Assert.False(PosixSignal.Ignores(child.Id, PosixSignal.Interrupt), "the child must receive SIGINT as under a terminal");
        // Both signals are pending before the child runs again (SIGSTOP holds it), so the second is handled microseconds
        // after the first, long before the candidate in flight and the graceful stop could finish. Which of the two is
        // handled second is the kernel's choice (pending signals of a stopped process), so either exit code 128+N is it.
        PosixSignal.Send(child.Id, PosixSignal.Stop);
        PosixSignal.Send(child.Id, PosixSignal.Terminate);
        PosixSignal.Send(child.Id, PosixSignal.Interrupt);
        PosixSignal.Send(child.Id, PosixSignal.Continue);
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(10)), "a second signal exits at once");
        // A graceful stop would exit 0; 128+N means the second signal ended the process. The first signal's graceful
        // stop may still reach a safe point (and log it) before the second handler runs on a loaded machine, and the
        // warning line is written best effort: neither is checked.
        Assert.True(child.ExitCode is 130 or 143, $"exit code {child.ExitCode}: {child.Stderr}");
        foreach (string line in child.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var entry = JsonDocument.Parse(line); // --log-format json: every stderr line is one JSON object
            Assert.True(entry.RootElement.TryGetProperty("LogLevel", out _), line);
        }
        var status = CliRunner.Run("status", run);
        Assert.True(status.ExitCode == 0, status.Stderr);
        using var summary = JsonDocument.Parse(status.Stdout);
        Assert.True(summary.RootElement.GetProperty("generation").GetInt32() >= 1);
        var resumed = CliRunner.Run("resume", run, "--log-format", "nope");
        Assert.Equal(1, resumed.ExitCode);
    }

    [Fact]
    public void AnUnhandledErrorWritesACrashReportAndExitsNonZero()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 16);
        string config = WriteConfig(layout);
        string run = Path.Combine(temp.Path, "runs", "r");
        using var child = ChildProcess.Start(new Dictionary<string, string>(), "search", config, "--metrics-url", "http://127.0.0.1:0");
        Assert.True(child.WaitForLine("generation 0 done", TimeSpan.FromSeconds(60)), child.Stderr);
        // The evaluation log becomes a directory: the next checkpoint cannot append to it.
        string log = Path.Combine(run, "evaluations.parquet");
        File.Delete(log);
        Directory.CreateDirectory(log);
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(60)), child.Stderr);
        Assert.Equal(70, child.ExitCode);
        string report = Assert.Single(Directory.GetFiles(run, "crash-report-*.txt"));
        string text = File.ReadAllText(report);
        Assert.Contains("crashed at", text);
        Assert.Contains("evaluations.parquet", text);
        Assert.Contains("crash report", child.Stderr);
        var status = CliRunner.Run("status", run);
        Assert.True(status.ExitCode == 0, status.Stderr);
        using var summary = JsonDocument.Parse(status.Stdout);
        Assert.False(summary.RootElement.GetProperty("alive").GetBoolean());
        Assert.True(summary.RootElement.GetProperty("generation").GetInt32() >= 1);
    }
}
