using System.Text.Json;
using EvoMerge.Demo;
using EvoMerge.Search.Runs;
using Xunit;
using Xunit.Abstractions;

using static EvoMerge.IntegrationTests.LoopbackHttp;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// One search run twice from the same config and seed: in one process, and as a cluster orchestrator with two worker
/// processes on 127.0.0.1, one of which is killed with SIGKILL while it holds candidates and then restarted under the
/// same name. The cluster run must finish with the same archive and evaluation log as the single-process run.
/// </summary>
public sealed class ClusterSearchTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public void AWorkerKilledMidRunLosesNothingAndTheArchiveEqualsTheSingleProcessRun()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path);
        string config = Path.Combine(layout.Root, "search.yml");
        File.WriteAllText(config, $"""
            {layout.SearchYaml(6)}
            evaluation:
              cheap_first:
                fraction: 0.5
                confidence: 0.9
            budget:
              generations: 16
            seed: 7
            run_dir: runs/single
            """);
        string single = temp.Combine("runs", "single"), cluster = temp.Combine("runs", "cluster");
        var reference = CliRunner.Run(TimeSpan.FromMinutes(6), "search", config, "--metrics-url", "http://127.0.0.1:0", "--progress", "none");
        Assert.True(reference.ExitCode == 0, reference.Stderr);

        int siloPort = FreePort(), metricsPort = FreePort();
        string spec = $"localhost:{siloPort}", url = $"http://127.0.0.1:{metricsPort}";
        var environment = new Dictionary<string, string> { ["EVOMERGE_PROGRESS_INTERVAL"] = "1" };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var orchestrator = ChildProcess.Start(environment, "search", config, "--run-dir", cluster, "--cluster", spec, "--metrics-url", url, "--progress", "log");
        ChildProcess? first = null, second = null, rejoined = null;
        try
        {
            Wait(() => Get(http, url + "/healthz") is not null, "the orchestrator never served /healthz", orchestrator);
            first = ChildProcess.Start(environment, "worker", "--cluster", spec, "--name", "w1", "--allow-path", layout.Root);
            second = ChildProcess.Start(environment, "worker", "--cluster", spec, "--name", "w2", "--allow-path", layout.Root);

            // Kill w1 while it holds candidates, after it has delivered some.
            JsonElement killedAt = default;
            Wait(() =>
            {
                if (Worker(http, url, "w1") is not { } w1 || w1.GetProperty("evaluations").GetInt32() < 2 || w1.GetProperty("in_flight").GetInt32() < 2) return false;
                PosixSignal.Send(first.Id, 9);
                killedAt = w1;
                return true;
            }, "worker w1 never had work in flight", orchestrator);
            Assert.True(first.WaitForExit(TimeSpan.FromSeconds(10)));
            int evaluationsBeforeKill = killedAt.GetProperty("evaluations").GetInt32();
            Assert.True(killedAt.GetProperty("busy_seconds").GetDouble() > 0);

            // Per-worker metrics on the orchestrator's endpoint.
            var metrics = PrometheusExposition.Parse(Get(http, url + "/metrics") ?? "");
            Assert.Contains(metrics.Named("evomerge_worker_evaluations_total"), m => m.Labels["worker"] == "w1" && m.Value >= evaluationsBeforeKill);
            Assert.Contains(metrics.Named("evomerge_worker_busy_seconds_total"), m => m.Labels["worker"] == "w1" && m.Value > 0);
            Assert.Contains(metrics.Named("evomerge_worker_in_flight"), m => m.Labels["worker"] == "w1");
            Assert.True(orchestrator.WaitForLine("worker w1 lost", Patience), orchestrator.Stderr);
            Assert.Contains("re-queued", orchestrator.Stderr);
            Assert.Contains(PrometheusExposition.Parse(Get(http, url + "/metrics") ?? "").Named("evomerge_worker_failures_total"), m => m.Labels["worker"] == "w1" && m.Value >= 1);

            rejoined = ChildProcess.Start(environment, "worker", "--cluster", spec, "--name", "w1", "--allow-path", layout.Root);
            Wait(() => orchestrator.Stderr.Split('\n').Count(l => l.Contains("worker w1 joined", StringComparison.Ordinal)) >= 2, "the restarted worker w1 never rejoined", orchestrator);
            Assert.True(orchestrator.WaitForExit(TimeSpan.FromMinutes(6)), "the cluster run did not finish; stderr:\n" + orchestrator.Stderr);
            output.WriteLine(orchestrator.Stderr);
            Assert.True(orchestrator.ExitCode == 0, orchestrator.Stderr);

            // Both workers did work, w1 also after rejoining; the candidates it held when killed count as its failures.
            string summary = string.Join('\n', orchestrator.Stderr.Split('\n').Where(l => l.StartsWith("worker w", StringComparison.Ordinal)));
            var w1 = System.Text.RegularExpressions.Regex.Match(summary, @"worker w1: (\d+) evaluations, [0-9.]+ s busy, (\d+) failure");
            var w2 = System.Text.RegularExpressions.Regex.Match(summary, @"worker w2: (\d+) evaluations");
            Assert.True(w1.Success && w2.Success, summary);
            Assert.True(int.Parse(w2.Groups[1].Value) > 0, summary);
            Assert.True(int.Parse(w1.Groups[2].Value) >= 1, summary);
            Assert.True(int.Parse(w1.Groups[1].Value) > evaluationsBeforeKill, $"w1 had {evaluationsBeforeKill} evaluations when killed and got no work after rejoining: {summary}");
        }
        finally
        {
            foreach (var worker in new[] { first, second, rejoined }) worker?.Dispose();
        }

        Assert.Equal(File.ReadAllText(Path.Combine(single, "archive.json")), File.ReadAllText(Path.Combine(cluster, "archive.json")));
        Assert.Equal(File.ReadAllText(Path.Combine(single, "population.json")), File.ReadAllText(Path.Combine(cluster, "population.json")));
        Assert.Equal(WithoutTimings(Path.Combine(single, "checkpoint.json")), WithoutTimings(Path.Combine(cluster, "checkpoint.json")));
        var expected = Rows(single);
        var actual = Rows(cluster);
        Assert.Equal(16 * 6, expected.Count);
        Assert.Equal(expected, actual);
        Assert.Contains(expected, r => r.Contains("|Screened|", StringComparison.Ordinal)); // cheap-first subsets and the front travelled to the workers
    }

    /// <summary>
    /// A JSON file's text with every property named <c>*seconds</c> removed (the only things that differ between equal
    /// runs) and the evaluation journal's hash (its rows hold those timings; the rows are compared by <see cref="Rows"/>).
    /// </summary>
    internal static string WithoutTimings(string path)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        Strip(node);
        return node.ToJsonString();

        static void Strip(System.Text.Json.Nodes.JsonNode? node)
        {
            if (node is System.Text.Json.Nodes.JsonObject o)
            {
                foreach (string key in o.Select(p => p.Key).Where(k => k.EndsWith("seconds", StringComparison.OrdinalIgnoreCase) || k == "EvaluationsSha256").ToList()) o.Remove(key);
                foreach (var (_, child) in o) Strip(child);
            }
            else if (node is System.Text.Json.Nodes.JsonArray a)
                foreach (var child in a) Strip(child);
        }
    }

    /// <summary>The evaluation log's rows without their timings.</summary>
    internal static List<string> Rows(string runDirectory)
    {
        var log = new EvaluationLog(Path.Combine(runDirectory, EvaluationLog.FileName), ["a", "b"], 0);
        return [.. log.Read().Select(r => string.Join('|', r.Generation, r.Index, r.Genome, r.RecipeHash, r.Status, r.Reason, r.Cached,
            string.Join(',', r.Objectives.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))), r.ConstraintViolation,
            r.ItemsEvaluated, r.ItemsSaved, r.TokensScored, r.ItemScores))];
    }

    private static JsonElement? Worker(HttpClient http, string url, string name)
    {
        if (Get(http, url + "/status") is not { } text) return null;
        using var status = JsonDocument.Parse(text);
        if (!status.RootElement.TryGetProperty("workers", out var workers)) return null;
        foreach (var worker in workers.EnumerateArray())
            if (worker.GetProperty("name").GetString() == name && worker.GetProperty("state").GetString() == "active") return worker.Clone();
        return null;
    }

    private static void Wait(Func<bool> condition, string failure, ChildProcess process)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return;
            if (process.HasExited) break;
            Thread.Sleep(50);
        }
        throw new InvalidOperationException($"{failure}; stderr:\n{process.Stderr}");
    }
}
