using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// An exception unhandled on a thread other than the command's (README, "Stopping": any unhandled error writes the
/// crash report) ends the CLI with the crash report and exit 70, not the runtime's abort (exit 134, no report). The
/// bug is put into the real CLI process by <see cref="StartupHook"/>, while it runs a search.
/// </summary>
public class OtherThreadCrashTests
{
    [Fact]
    public void AnExceptionUnhandledOnAnotherThreadWritesTheCrashReportAndExits70()
    {
        using var temp = new TempDirectory();
        var layout = EvoMerge.Demo.TinySpecialists.Write(temp.Path);
        string config = Path.Combine(layout.Root, "search.yml");
        File.WriteAllText(config, layout.SearchYaml(4) + "budget:\n  generations: 1000\nseed: 3\nrun_dir: runs/default\n");
        using var search = ChildProcess.Start(new Dictionary<string, string>
        {
            ["DOTNET_STARTUP_HOOKS"] = typeof(StartupHook).Assembly.Location,
            ["EVOMERGE_TEST_THROW_AFTER_MS"] = "3000",
        }, "search", config, "--run-dir", temp.Combine("run"), "--progress", "log", "--metrics-url", "http://127.0.0.1:0");
        Assert.True(search.WaitForExit(TimeSpan.FromMinutes(2)), "still running; stderr:\n" + search.Stderr);
        Assert.True(search.ExitCode == 70, $"exit code {search.ExitCode}; stderr:\n{search.Stderr}");
        // The exception escaped from no run, so the report is in the working directory (the child's is the test's).
        string report = Assert.Single(Directory.GetFiles(Environment.CurrentDirectory, "crash-report-*.txt"),
            f => File.ReadAllText(f).Contains("a bug on a thread of its own", StringComparison.Ordinal));
        Assert.Contains($"evomerge: internal error: InvalidOperationException: a bug on a thread of its own; crash report {report}", search.Stderr);
        File.Delete(report);
    }
}
