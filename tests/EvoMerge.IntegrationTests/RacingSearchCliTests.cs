using System.Text.Json;
using System.Text.RegularExpressions;
using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// A tiny search with racing through the built CLI: some candidates stop early, each generation's log line says how many
/// item evaluations were saved, statistics.json sums to the same, and no stopped candidate is in the archive.
/// </summary>
public sealed class RacingSearchCliTests
{
    [Fact]
    public void A_racing_search_logs_its_saved_item_evaluations_and_archives_only_fully_scored_candidates()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path);
        string config = TinySearchConfig.Write(layout, 8, TinySearchConfig.Racing, 4, 3, "runs/racing");
        var result = CliRunner.Run(TimeSpan.FromMinutes(4), "search", config, "--progress", "none");
        Assert.True(result.ExitCode == 0, result.Stderr);

        var logged = Regex.Matches(result.Stderr, @"item evaluations saved (\d+) of (\d+)").Select(m => long.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(4, logged.Count);
        string run = Path.Combine(layout.Root, "runs", "racing");
        using var statistics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "statistics.json")));
        var saved = statistics.RootElement.EnumerateArray().Select(g => g.GetProperty("ItemEvaluationsSaved").GetInt64()).ToList();
        Assert.Equal(saved, logged);
        Assert.True(saved.Sum() > 0, result.Stderr);
        Assert.Contains("dominated by archive member", result.Stderr);

        var stopped = Regex.Matches(result.Stderr, @"candidate \d+: ([0-9a-f]{12}) screened").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(stopped);
        using var archive = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "archive.json")));
        string archived = archive.RootElement.GetRawText();
        Assert.All(stopped, hash => Assert.DoesNotContain(hash, archived));
        var scored = Regex.Matches(result.Stderr, @"candidate \d+: ([0-9a-f]{12}) ok").Select(m => m.Groups[1].Value);
        Assert.Contains(scored, hash => archived.Contains(hash, StringComparison.Ordinal)); // the archive names its members by recipe hash
    }
}
