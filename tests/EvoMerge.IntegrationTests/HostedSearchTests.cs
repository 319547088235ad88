using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace EvoMerge.IntegrationTests;

/// <summary>The hosted orchestrator seen from outside (see <see cref="MonitoredSearch"/>): metrics, status, SIGTERM, resume, Prometheus, the Grafana dashboard.</summary>
public partial class HostedSearchTests(MonitoredSearch search, ITestOutputHelper output) : IClassFixture<MonitoredSearch>
{
    [Fact]
    public void MetricsMoveAsEvaluationsComplete()
    {
        var first = search.FirstScrape;
        var second = search.SecondScrape;
        Assert.Equal("ok\n", search.Healthz);
        Assert.True(second.Sum("evomerge_evaluations_total") > first.Sum("evomerge_evaluations_total"));
        Assert.True(second.Sum("evomerge_generation") > first.Sum("evomerge_generation"));
        Assert.True(second.Sum("evomerge_evaluation_duration_seconds_count") > first.Sum("evomerge_evaluation_duration_seconds_count"));
        Assert.True(second.Sum("evomerge_merge_duration_seconds_count") > first.Sum("evomerge_merge_duration_seconds_count"));
        Assert.True(second.Sum("evomerge_tokens_scored_total") > first.Sum("evomerge_tokens_scored_total"));
        Assert.True(second.Sum("evomerge_tokens_per_second") > 0);
        Assert.All(second.Named("evomerge_evaluations_total"), s => Assert.Contains(s.Labels["outcome"], new[] { "ok", "infeasible", "screened", "failed", "cached" }));
        Assert.Contains(second.Named("evomerge_evaluations_total"), s => s.Labels["outcome"] == "ok" && s.Value > 0);
        Assert.Equal(["a", "b"], second.Named("evomerge_objective_best").Select(s => s.Labels["objective"]).Order());
        Assert.True(second.Sum("evomerge_archive_size") >= 1);
        Assert.True(second.Sum("evomerge_hypervolume") > 0);
        Assert.True(second.Sum("evomerge_process_memory_resident_bytes") > 10_000_000);
        Assert.True(second.Sum("evomerge_managed_heap_size_bytes") > 0);
        Assert.Equal(200, second.Sum("evomerge_generations_budget"));
        var info = Assert.Single(second.Named("evomerge_run_info"));
        Assert.Equal(1, info.Value);
        Assert.Equal("monitored", info.Labels["run_id"]);
        Assert.Matches("^[0-9a-f]{16}$", info.Labels["config_hash"]);
        Assert.False(string.IsNullOrEmpty(info.Labels["version"]));
        var buckets = second.Named("evomerge_evaluation_duration_seconds_bucket").ToList();
        Assert.Contains(buckets, b => b.Labels["le"] == "+Inf");
    }

    [Fact]
    public void StatusServesTheRunSummary()
    {
        var status = search.LiveStatus.RootElement;
        Assert.Equal("monitored", status.GetProperty("run_id").GetString());
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.True(status.GetProperty("generation").GetInt32() >= 2);
        Assert.Equal(200, status.GetProperty("generations_budget").GetInt32());
        Assert.Equal(100000, status.GetProperty("evaluations_budget").GetInt32());
        Assert.True(status.GetProperty("evaluations_done").GetInt32() >= 12);
        Assert.True(status.GetProperty("archive_size").GetInt32() >= 1);
        Assert.True(status.GetProperty("hypervolume").GetDouble() > 0);
        Assert.True(status.GetProperty("best").GetProperty("a").ValueKind == JsonValueKind.Number);
        Assert.True(status.GetProperty("eta_seconds").GetDouble() > 0);
    }

    [Fact]
    public void SigtermStopsWithinTheGracePeriodAndResumeContinues()
    {
        Assert.True(search.StopExitCode == 0, search.SearchStderr);
        Assert.True(search.StopSeconds < MonitoredSearch.GracePeriod.TotalSeconds, $"stopped in {search.StopSeconds:F1} s");
        Assert.Contains("stopped at a safe point", search.SearchStderr);
        Assert.Contains("progress: ", search.SearchStderr); // periodic plain lines when stdout is not a terminal

        var stopped = search.StatusAfterStop.RootElement;
        Assert.False(stopped.GetProperty("alive").GetBoolean());
        Assert.Equal("not running", stopped.GetProperty("state").GetString());
        int generation = stopped.GetProperty("generation").GetInt32();
        Assert.True(generation >= (int)search.LastScrapeBeforeStop.Sum("evomerge_generation"));

        Assert.True(search.ResumeExitCode == 0, search.ResumeStderr);
        Assert.Contains($"resuming {search.RunDirectory} at generation {generation}", search.ResumeStderr); // generations are numbered from 0: the next one is the count done
        var resumed = search.StatusAfterResume.RootElement;
        Assert.True(resumed.GetProperty("generation").GetInt32() > generation);
        Assert.True(resumed.GetProperty("evaluations_done").GetInt32() > stopped.GetProperty("evaluations_done").GetInt32());
        Assert.NotNull(search.ResumeScrape);
        Assert.Equal(1, search.ResumeScrape.Sum("evomerge_run_info"));
    }

    [PrometheusToolsFact]
    public void APrometheusServerScrapesTheEndpointAndPromtoolAcceptsTheMetrics()
    {
        Assert.NotNull(search.ScrapeCheck);
        output.WriteLine(search.ScrapeCheck.Stdout + search.ScrapeCheck.Stderr);
        Assert.True(search.ScrapeCheck.ExitCode == 0, search.ScrapeCheck.Stdout + search.ScrapeCheck.Stderr);
        Assert.Contains("promtool check metrics: ok", search.ScrapeCheck.Stdout);
        Assert.Contains("target up", search.ScrapeCheck.Stdout);
    }

    [Fact]
    public void TheDashboardIsValidAndUsesOnlyExportedMetrics()
    {
        string path = Path.Combine(CliRunner.RepositoryRoot, "deploy", "grafana", "dashboards", "evomerge.json");
        using var dashboard = JsonDocument.Parse(File.ReadAllText(path));
        var root = dashboard.RootElement;
        Assert.Equal("evomerge", root.GetProperty("uid").GetString());
        var exprs = new List<string>();
        Collect(root, exprs);
        Assert.True(exprs.Count >= 8, $"{exprs.Count} queries");
        var exported = search.SecondScrape.Names;
        output.WriteLine(search.SecondScrape.Text);
        var used = exprs.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        string[] unknown = [.. used.Where(n => !exported.Contains(n)).Order()];
        Assert.True(unknown.Length == 0, "not exported: " + string.Join(", ", unknown));
        foreach (string required in new[]
                 {
                     "evomerge_objective_best", "evomerge_hypervolume", "evomerge_evaluations_total", "evomerge_evaluation_duration_seconds_bucket",
                     "evomerge_process_memory_resident_bytes", "evomerge_managed_heap_size_bytes", "evomerge_run_info", "evomerge_generation",
                 })
            Assert.Contains(required, used);
        var titles = root.GetProperty("panels").EnumerateArray().Select(p => p.GetProperty("title").GetString()).ToList();
        Assert.Equal(titles.Count, titles.Distinct().Count());
    }

    /// <summary>Every PromQL string of a dashboard: panel target <c>expr</c>s and templating <c>query</c>s.</summary>
    private static void Collect(JsonElement element, List<string> exprs)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name is "expr" && property.Value.ValueKind == JsonValueKind.String) exprs.Add(property.Value.GetString()!);
                    else if (property.Name is "query" && property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("query", out var q)) exprs.Add(q.GetString()!);
                    else Collect(property.Value, exprs);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) Collect(item, exprs);
                break;
        }
    }

    [GeneratedRegex(@"\bevomerge_[a-zA-Z0-9_]+")]
    private static partial Regex MetricName();
}
