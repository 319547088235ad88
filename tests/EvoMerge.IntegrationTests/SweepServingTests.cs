using System.Diagnostics;
using System.Text.Json;
using Xunit;

using static EvoMerge.IntegrationTests.LoopbackHttp;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge sweep</c> as a child process with <c>--progress log</c>: it logs progress lines, serves its final values
/// until a scrape has seen them (over real HTTP on 127.0.0.1; the process then exits without waiting out
/// EVOMERGE_FINAL_SCRAPE_WAIT, as a search does), and <c>evomerge status RUN_DIR</c> then reads the finished sweep's
/// directory.
/// </summary>
public class SweepServingTests
{
    private const int Points = 5 + 3; // ties density 0.2 … 1.0; soup a, b, {a, b}

    [Fact]
    public void ASweepLogsProgressIsServedUntilAScrapeSawItsEndAndStatusReadsItsDirectory()
    {
        using var temp = new TempDirectory();
        var run = SpecialistsRun.Write(temp, "sweep.yml", """
            sweep:
              grid: {method: ties, parameters: {density: [0.2, 0.4, 0.6, 0.8, 1.0]}}
              greedy_soup: true
            run_dir: runs/serving

            """);
        string directory = Path.Combine(Path.GetDirectoryName(run.Config)!, "runs", "serving");
        string url = $"http://127.0.0.1:{FreePort()}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var environment = new Dictionary<string, string> { ["EVOMERGE_FINAL_SCRAPE_WAIT"] = "300", ["EVOMERGE_PROGRESS_INTERVAL"] = "0.2" };
        using var sweep = ChildProcess.Start(environment, "sweep", run.Config, "--metrics-url", url, "--progress", "log");

        Wait(() => Get(http, url + "/metrics") is not null, sweep, "the sweep never served /metrics");
        Assert.True(sweep.WaitForLine("serving the final metrics until they are scraped", TimeSpan.FromMinutes(5)), sweep.Stderr);
        var status = JsonDocument.Parse(Get(http, url + "/status") ?? throw new InvalidOperationException("no /status; stderr:\n" + sweep.Stderr)).RootElement;
        Assert.Equal("finished", status.GetProperty("state").GetString());

        var clock = Stopwatch.StartNew();
        var final = PrometheusExposition.Parse(Get(http, url + "/metrics") ?? throw new InvalidOperationException("no final scrape; stderr:\n" + sweep.Stderr));
        Assert.Equal(Points, final.Sum("evomerge_sweep_points_done"));
        Assert.True(sweep.WaitForExit(TimeSpan.FromSeconds(60)), $"still running 60 s after the final scrape; stderr:\n{sweep.Stderr}");
        Assert.True(sweep.ExitCode == 0, sweep.Stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60));
        Assert.Matches($@"progress: sweep \d+/{Points} points, current ", sweep.Stderr);

        var printed = CliRunner.Run("status", directory);
        Assert.True(printed.ExitCode == 0, printed.Stderr);
        var read = JsonDocument.Parse(printed.Stdout).RootElement;
        Assert.Equal(("sweep", "finished", false), (read.GetProperty("kind").GetString(), read.GetProperty("state").GetString(), read.GetProperty("alive").GetBoolean()));
        Assert.Equal((Points, Points), (read.GetProperty("points_done").GetInt32(), read.GetProperty("points_total").GetInt32()));
        var rows = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "sweep-table.json"))).RootElement.GetProperty("rows").EnumerateArray()
            .Where(r => r.GetProperty("dev_score").ValueKind == JsonValueKind.Number).ToList();
        Assert.Equal(rows.Max(r => r.GetProperty("dev_score").GetDouble()), read.GetProperty("best").GetProperty("dev_score").GetDouble());
    }

    private static void Wait(Func<bool> condition, ChildProcess process, string problem)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (process.HasExited) throw new InvalidOperationException($"{problem}: the process exited with {process.ExitCode}; stderr:\n{process.Stderr}");
            if (deadline.Elapsed > TimeSpan.FromMinutes(3)) throw new InvalidOperationException($"{problem}; stderr:\n{process.Stderr}");
            Thread.Sleep(100);
        }
    }
}
