using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using EvoMerge.Demo;
using Xunit;

using static EvoMerge.IntegrationTests.LoopbackHttp;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// What the built CLI serves after a search reached its budget, over real HTTP on 127.0.0.1: the final generation's
/// metrics and status until a scrape has seen them (then the process exits without waiting out
/// EVOMERGE_FINAL_SCRAPE_WAIT), for a racing search with the item evaluations done and saved that its generation log
/// lines add up to, and the demo's table scoring as a post-search phase whose steps and ETA show in
/// <c>/status</c> and the progress log lines, stopped promptly by Ctrl+C.
/// </summary>
public partial class PostSearchServingTests
{
    [Fact]
    public void FinalGenerationIsServedUntilAScrapeHasSeenIt()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path);
        string config = TinySearchConfig.Write(layout, 8, TinySearchConfig.Racing, 4, 3, "runs/final");
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var environment = new Dictionary<string, string> { ["EVOMERGE_FINAL_SCRAPE_WAIT"] = "300" };
        using var search = ChildProcess.Start(environment, "search", config, "--metrics-url", url, "--progress", "log");

        // One scrape while the search runs (something watches it), then only /status until the search has finished.
        Wait(() => Get(http, url + "/metrics") is not null, search, "the search never served /metrics");
        JsonElement status = default;
        Wait(() => Get(http, url + "/status") is { } s && (status = JsonDocument.Parse(s).RootElement).GetProperty("state").GetString() == "finished",
            search, "/status never said finished while the process was up", TimeSpan.FromMinutes(8));
        Assert.Equal(4, status.GetProperty("generation").GetInt32());
        Assert.Equal(3, status.GetProperty("last_generation").GetInt32());
        Assert.Equal("ok\n", Get(http, url + "/healthz"));
        Assert.Contains("serving the final metrics until they are scraped", search.Stderr);

        var clock = Stopwatch.StartNew();
        var final = PrometheusExposition.Parse(Get(http, url + "/metrics") ?? throw new InvalidOperationException($"no final scrape; stderr:\n{search.Stderr}"));
        Assert.Equal(4, final.Sum("evomerge_generation"));
        Assert.Equal(32, final.Sum("evomerge_evaluations_total")); // 4 generations of 8 candidates

        // That scrape saw the final values: the process exits well before the 300 s wait.
        Assert.True(search.WaitForExit(TimeSpan.FromSeconds(60)), $"still running 60 s after the final scrape; stderr:\n{search.Stderr}");
        Assert.True(search.ExitCode == 0, search.Stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60));

        // Racing's item evaluations, read independently from the log: each generation line says "item evaluations
        // saved X of Y" (Y = the fresh candidates' items), each fresh candidate's line its timings, cached ones [cached].
        var generations = Regex.Matches(search.Stderr, @"item evaluations saved (\d+) of (\d+)").Select(m => (Saved: long.Parse(m.Groups[1].Value), Possible: long.Parse(m.Groups[2].Value))).ToList();
        Assert.Equal(4, generations.Count);
        long saved = generations.Sum(g => g.Saved), done = generations.Sum(g => g.Possible - g.Saved);
        int fresh = Regex.Count(search.Stderr, @"generation \d+ candidate \d+: \S+ \S+ .*\[[0-9.]+s merge, [0-9.]+s score\]");
        Assert.Equal(fresh * 2 * 48, saved + done); // tasks a and b, 48 items each
        Assert.True(saved > 0, search.Stderr);
        Assert.Equal(saved, status.GetProperty("item_evaluations_saved").GetInt64());
        Assert.Equal(done, status.GetProperty("item_evaluations").GetInt64());
        Assert.Equal(saved, final.Sum("evomerge_item_evaluations_saved_total"));
        Assert.Equal(done, final.Sum("evomerge_item_evaluations_total"));
    }

    [Fact]
    public void DemoTablePhaseReportsProgressWithAnEtaAndStopsOnCtrlC()
    {
        using var temp = new TempDirectory();
        string run = temp.Combine("run");
        string root = CliRunner.RepositoryRoot.TrimEnd('/');
        string config = SmallDemoConfig.Write(temp);
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var environment = new Dictionary<string, string> { ["EVOMERGE_PROGRESS_INTERVAL"] = "0.2" };
        using var demo = ChildProcess.Start(environment, "demo", "--config", config, "--seed", "5", "--budget", "1", "--limit", "40",
            "--run-dir", run, "--datasets", Path.Combine(root, "datasets"), "--metrics-url", url, "--progress", "log");

        // A step done, so the pace (and with it the ETA) is known.
        JsonElement phase = default;
        Wait(() => Get(http, url + "/status") is { } s && JsonDocument.Parse(s).RootElement is var status && status.GetProperty("state").GetString() == "finished"
                && status.TryGetProperty("phase", out phase) && phase.GetProperty("done").GetInt32() >= 1,
            demo, "/status never showed the table phase with a step done", TimeSpan.FromMinutes(10));
        Assert.Equal("scoring the demo table", phase.GetProperty("name").GetString());
        // base, 3 sources, 4 + 4 baseline grid points, 2 baseline rows, at least 1 archive member and 1 evolved row,
        // 9 routed grid points and the routed row, multitask.
        Assert.InRange(phase.GetProperty("total").GetInt32(), 1 + 3 + 8 + 2 + 1 + 1 + 10 + 1, 1 + 3 + 8 + 2 + 4 + 7 + 10 + 1);
        Assert.InRange(phase.GetProperty("done").GetInt32(), 1, phase.GetProperty("total").GetInt32());
        Assert.True(phase.GetProperty("elapsed_seconds").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Number, phase.GetProperty("eta_seconds").ValueKind);

        Assert.True(demo.WaitForLine("progress: scoring the demo table", TimeSpan.FromMinutes(2)), demo.Stderr);
        string line = demo.Stderr.Split('\n').First(l => l.Contains("progress: scoring the demo table", StringComparison.Ordinal));
        Assert.Matches(ProgressLine(), line);

        // Ctrl+C during the phase: prompt exit, no table, and how to score it later.
        var clock = Stopwatch.StartNew();
        PosixSignal.Send(demo.Id, PosixSignal.Interrupt);
        Assert.True(demo.WaitForExit(TimeSpan.FromSeconds(60)), $"the demo did not stop after Ctrl+C; stderr:\n{demo.Stderr}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"stopped in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(demo.ExitCode == 0, demo.Stderr);
        Assert.Contains("stop requested: scoring the demo table stopped before it was done", demo.Stderr);
        Assert.Contains($"stopped before the table was written; score it with: evomerge demo --table-only --run-dir {run}", demo.Stdout);
        Assert.False(File.Exists(Path.Combine(run, "demo-table.md")));
    }

    [GeneratedRegex(@"progress: scoring the demo table \d+/\d+ steps, \d\d:\d\d:\d\d elapsed, eta (\d\d:\d\d:\d\d|unknown)$")]
    private static partial Regex ProgressLine();

    private static void Wait(Func<bool> condition, ChildProcess process, string problem, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (process.HasExited) throw new InvalidOperationException($"{problem}: the process exited with {process.ExitCode}; stderr:\n{process.Stderr}");
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromMinutes(3))) throw new InvalidOperationException($"{problem}; stderr:\n{process.Stderr}");
            Thread.Sleep(100);
        }
    }
}
