using System.Text.Json.Nodes;
using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// The per-machine score cache through the built CLI: a second <c>evomerge search</c> over the same models and tasks
/// scores no reference model (its log says all six came from the cache, the dry run said so before) and records the
/// same values; <c>--no-score-cache</c> scores them again.
/// </summary>
public class ScoreCacheCommandTests
{
    [Fact]
    public void ASecondSearchTakesItsReferenceScoresFromTheCache()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 24);
        string config = Path.Combine(layout.Root, "cached.yml");
        File.WriteAllText(config, $"""
            base_model: models/base
            models: [models/a, models/b]
            {layout.ObjectivesYaml()}
            genome:
              methods: [task_arithmetic]
              layer_groups: 1
            optimizer:
              name: nsga2
              settings:
                population_size: 4
            budget:
              generations: 1
            seed: 3
            run_dir: runs/default
            """);
        string cache = Path.Combine(temp.Path, "cache");
        var environment = new Dictionary<string, string> { ["EVOMERGE_SCORE_CACHE"] = "true", ["EVOMERGE_SCORE_CACHE_DIR"] = cache, ["EVOMERGE_FINAL_SCRAPE_WAIT"] = "0" };

        ChildProcess Run(params string[] args)
        {
            var child = ChildProcess.Start(environment, args);
            Assert.True(child.WaitForExit(TimeSpan.FromMinutes(3)), "evomerge " + string.Join(' ', args) + " exits");
            Assert.True(child.ExitCode == 0, child.Stderr);
            return child;
        }

        string runOne = Path.Combine(temp.Path, "runs", "first"), runTwo = Path.Combine(temp.Path, "runs", "second"), runThree = Path.Combine(temp.Path, "runs", "third");
        using (var first = Run("search", config, "--run-dir", runOne))
            Assert.Contains($"reference models: 0 of 6 from the score cache {cache}, 6 scored", first.Stderr);
        using (var dry = Run("search", config, "--dry-run"))
            Assert.Contains($"score cache: {cache} holds 6 of the 6 reference models' scores", dry.Stdout);
        using (var second = Run("search", config, "--run-dir", runTwo))
            Assert.Contains($"reference models: 6 of 6 from the score cache {cache}, 0 scored", second.Stderr);
        using (var third = Run("search", config, "--run-dir", runThree, "--no-score-cache"))
            Assert.DoesNotContain("from the score cache", third.Stderr);

        JsonArray References(string run) => JsonNode.Parse(File.ReadAllText(Path.Combine(run, "references.json")))!["references"]!.AsArray();
        string Values(string run) => string.Join(" ", References(run).Select(r => r!["objectives"]!.ToJsonString()));
        Assert.Equal(Values(runOne), Values(runTwo));
        Assert.Equal(Values(runOne), Values(runThree));
        Assert.All(References(runTwo), r => Assert.True((bool)r!["from_cache"]!));
        Assert.All(References(runThree), r => Assert.False((bool)r!["from_cache"]!));
    }
}
