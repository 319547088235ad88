using System.Text.Json;
using EvoMerge.Demo;
using EvoMerge.Search.Runs;
using Xunit;
using Xunit.Abstractions;

using static EvoMerge.IntegrationTests.LoopbackHttp;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// One search run twice from the same config and seed: in one process, and as a cluster orchestrator with two worker
/// processes on 127.0.0.1 (<see cref="LocalCluster"/>). The cluster run must finish with the same archive, population,
/// checkpoint and evaluation log as the single-process run: with cheap-first scoring when one worker is killed with
/// SIGKILL while it holds candidates and then restarted under the same name, and with racing (each candidate's item
/// orders and the front travel to the workers, which score the same rounds and stop the same candidates; with
/// <c>--min-workers 2</c>, so that both workers take part however late one of them joins).
/// </summary>
public sealed class ClusterSearchTests(ITestOutputHelper output)
{
    [Fact]
    public void AWorkerKilledMidRunLosesNothingAndTheArchiveEqualsTheSingleProcessRun()
    {
        using var temp = new TempDirectory();
        var (layout, config, single, cluster, _) = RunSingleProcess(temp, 6, TinySearchConfig.CheapFirst, 16, 7);

        var environment = new Dictionary<string, string> { ["EVOMERGE_PROGRESS_INTERVAL"] = "1" };
        using (var run = LocalCluster.Start(config, cluster, layout.Root, environment))
        {
            var orchestrator = run.Orchestrator;
            string url = run.Url;
            var first = run.StartWorker("w1");
            run.StartWorker("w2");

            // Kill w1 while it holds candidates, after it has delivered some.
            JsonElement killedAt = default;
            run.Wait(() =>
            {
                if (Worker(run.Http, url, "w1") is not { } w1 || w1.GetProperty("evaluations").GetInt32() < 2 || w1.GetProperty("in_flight").GetInt32() < 2) return false;
                PosixSignal.Send(first.Id, 9);
                killedAt = w1;
                return true;
            }, "worker w1 never had work in flight");
            Assert.True(first.WaitForExit(TimeSpan.FromSeconds(10)));
            int evaluationsBeforeKill = killedAt.GetProperty("evaluations").GetInt32();
            Assert.True(killedAt.GetProperty("busy_seconds").GetDouble() > 0);

            // Per-worker metrics on the orchestrator's endpoint.
            var metrics = PrometheusExposition.Parse(Get(run.Http, url + "/metrics") ?? "");
            Assert.Contains(metrics.Named("evomerge_worker_evaluations_total"), m => m.Labels["worker"] == "w1" && m.Value >= evaluationsBeforeKill);
            Assert.Contains(metrics.Named("evomerge_worker_busy_seconds_total"), m => m.Labels["worker"] == "w1" && m.Value > 0);
            Assert.Contains(metrics.Named("evomerge_worker_in_flight"), m => m.Labels["worker"] == "w1");
            Assert.True(orchestrator.WaitForLine("worker w1 lost", LocalCluster.Patience), orchestrator.Stderr);
            Assert.Contains("re-queued", orchestrator.Stderr);
            Assert.Contains(PrometheusExposition.Parse(Get(run.Http, url + "/metrics") ?? "").Named("evomerge_worker_failures_total"), m => m.Labels["worker"] == "w1" && m.Value >= 1);

            run.StartWorker("w1");
            run.Wait(() => orchestrator.Stderr.Split('\n').Count(l => l.Contains("worker w1 joined", StringComparison.Ordinal)) >= 2, "the restarted worker w1 never rejoined");
            string summary = Finish(orchestrator);

            // Both workers did work, w1 also after rejoining; the candidates it held when killed count as its failures.
            var w1 = System.Text.RegularExpressions.Regex.Match(summary, @"worker w1: (\d+) evaluations, [0-9.]+ s busy, (\d+) failure");
            var w2 = System.Text.RegularExpressions.Regex.Match(summary, @"worker w2: (\d+) evaluations");
            Assert.True(w1.Success && w2.Success, summary);
            Assert.True(int.Parse(w2.Groups[1].Value) > 0, summary);
            Assert.True(int.Parse(w1.Groups[2].Value) >= 1, summary);
            Assert.True(int.Parse(w1.Groups[1].Value) > evaluationsBeforeKill, $"w1 had {evaluationsBeforeKill} evaluations when killed and got no work after rejoining: {summary}");
        }

        var expected = AssertSameRun(single, cluster, 16 * 6);
        Assert.Contains(expected, r => r.Contains("|Screened|", StringComparison.Ordinal)); // cheap-first subsets and the front travelled to the workers
    }

    [Fact]
    public void ARacingSearchOnTwoWorkersGivesTheSingleProcessArchive()
    {
        using var temp = new TempDirectory();
        var (layout, config, single, cluster, reference) = RunSingleProcess(temp, 8, TinySearchConfig.Racing, 4, 3);

        string stderr;
        using (var run = LocalCluster.Start(config, cluster, layout.Root, new Dictionary<string, string>(), "--min-workers", "2"))
        {
            run.StartWorker("w1");
            run.StartWorker("w2");
            string summary = Finish(run.Orchestrator);
            Assert.Matches(@"worker w1: [1-9]\d* evaluations", summary);
            Assert.Matches(@"worker w2: [1-9]\d* evaluations", summary);
            stderr = run.Orchestrator.Stderr;
        }
        // --min-workers 2: no candidate was sent (none finished) before both workers were ready.
        var lines = stderr.Split('\n').ToList();
        int firstResult = lines.FindIndex(l => l.Contains(" candidate 0: ", StringComparison.Ordinal));
        int ready = lines.FindIndex(l => l.Contains("2 workers ready: sending candidates", StringComparison.Ordinal));
        Assert.True(ready >= 0 && firstResult > ready, stderr);

        var expected = AssertSameRun(single, cluster, 8 * 4);
        Assert.Contains(expected, r => r.Contains("|Screened|", StringComparison.Ordinal)); // some candidates stopped after a round
        Assert.Equal(SavedPerGeneration(reference.Stderr), SavedPerGeneration(stderr));
    }

    /// <summary>
    /// Writes the tiny specialists and a <see cref="TinySearchConfig"/> into <paramref name="temp"/> and runs the search
    /// in one process into <c>runs/single</c>; the cluster run is to go to <c>runs/cluster</c>.
    /// </summary>
    private static (TinySpecialists.Layout Layout, string Config, string Single, string Cluster, CliRunner.Result Reference) RunSingleProcess(
        TempDirectory temp, int population, string evaluation, int generations, int seed)
    {
        var layout = TinySpecialists.Write(temp.Path);
        string config = TinySearchConfig.Write(layout, population, evaluation, generations, seed, "runs/single");
        var reference = CliRunner.Run(TimeSpan.FromMinutes(6), "search", config, "--metrics-url", "http://127.0.0.1:0", "--progress", "none");
        Assert.True(reference.ExitCode == 0, reference.Stderr);
        return (layout, config, temp.Combine("runs", "single"), temp.Combine("runs", "cluster"), reference);
    }

    /// <summary>Waits for the orchestrator to finish with exit code 0; returns its per-worker summary lines.</summary>
    private string Finish(ChildProcess orchestrator)
    {
        Assert.True(orchestrator.WaitForExit(TimeSpan.FromMinutes(6)), "the cluster run did not finish; stderr:\n" + orchestrator.Stderr);
        output.WriteLine(orchestrator.Stderr);
        Assert.True(orchestrator.ExitCode == 0, orchestrator.Stderr);
        return string.Join('\n', orchestrator.Stderr.Split('\n').Where(l => l.StartsWith("worker w", StringComparison.Ordinal)));
    }

    /// <summary>Asserts both run directories hold the same archive, population, checkpoint and evaluation log of <paramref name="rows"/> rows; returns the rows.</summary>
    private static List<string> AssertSameRun(string single, string cluster, int rows)
    {
        Assert.Equal(File.ReadAllText(Path.Combine(single, "archive.json")), File.ReadAllText(Path.Combine(cluster, "archive.json")));
        Assert.Equal(File.ReadAllText(Path.Combine(single, "population.json")), File.ReadAllText(Path.Combine(cluster, "population.json")));
        Assert.Equal(WithoutTimings(Path.Combine(single, "checkpoint.json")), WithoutTimings(Path.Combine(cluster, "checkpoint.json")));
        var expected = Rows(single);
        Assert.Equal(rows, expected.Count);
        Assert.Equal(expected, Rows(cluster));
        return expected;
    }

    /// <summary>The "item evaluations saved X of Y" part of each generation's log line.</summary>
    private static List<string> SavedPerGeneration(string stderr) =>
        [.. System.Text.RegularExpressions.Regex.Matches(stderr, @"item evaluations saved \d+ of \d+").Select(m => m.Value)];

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
}
