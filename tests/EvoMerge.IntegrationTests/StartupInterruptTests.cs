using System.Diagnostics;
using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// A real Ctrl+C (SIGINT) while the host is still starting (the ~100 ms between the start line and the metrics
/// endpoint's bind) is a stop like any other (README, "Stopping"): exit 0 with a way to continue, never a crash
/// (exit 70 and a crash report). Sent at several delays after the start line, so some land inside the start.
/// </summary>
public class StartupInterruptTests
{
    [Fact]
    public void CtrlCWhileTheHostStartsIsAStopNotACrash()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path);
        string config = Path.Combine(layout.Root, "search.yml");
        File.WriteAllText(config, layout.SearchYaml(4) + """
            budget:
              generations: 50
            seed: 3
            run_dir: runs/default
            """);
        var outcomes = new List<string>();
        foreach (int delayMs in new[] { 0, 0, 5, 10, 20, 30, 50, 80 })
        {
            string run = Path.Combine(temp.Path, "runs", $"interrupted-{outcomes.Count}");
            using var search = ChildProcess.Start(new Dictionary<string, string>(), "search", config, "--run-dir", run, "--progress", "log",
                "--metrics-url", "http://127.0.0.1:0");
            var wait = Stopwatch.StartNew();
            while (!search.Stderr.Contains($"search in {run}:", StringComparison.Ordinal))
            {
                Assert.False(search.HasExited, "the search exited before its start line; stderr:\n" + search.Stderr);
                Assert.True(wait.Elapsed < TimeSpan.FromMinutes(2), "no start line; stderr:\n" + search.Stderr);
                Thread.SpinWait(1000);
            }
            if (delayMs > 0) Thread.Sleep(delayMs);
            PosixSignal.Send(search.Id, PosixSignal.Interrupt);
            Assert.True(search.WaitForExit(TimeSpan.FromMinutes(1)), "the search did not exit after Ctrl+C; stderr:\n" + search.Stderr);
            string stderr = search.Stderr;
            outcomes.Add($"{delayMs} ms: exit {search.ExitCode}");
            // 0: the host had its signal handlers and stopped; 130: the signal came before them (killed by SIGINT).
            Assert.True(search.ExitCode is 0 or 130, $"exit code {search.ExitCode} after Ctrl+C {delayMs} ms after the start line; stderr:\n{stderr}");
            Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(run, "crash-report-*.txt"));
            if (search.ExitCode == 0) Assert.Contains($"evomerge resume {run}", stderr, StringComparison.Ordinal);
        }
        Assert.Contains(outcomes, o => o.EndsWith("exit 0", StringComparison.Ordinal));
    }
}
