using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using Xunit;
using Xunit.Abstractions;


namespace EvoMerge.Tests.Search.Runs;

/// <summary>
/// A search on <see cref="ConflictingSpecialists"/>: the sources interfere in every layer and the optimum needs
/// per-layer weights that neither a source, nor their sum, nor a random first generation has; later generations must
/// find better merges than all of those.
/// </summary>
public class SearchImprovementTests(ITestOutputHelper output)
{
    [Fact]
    public void LaterGenerationsBeatTheSourcesAndTheFirstGeneration()
    {
        using var temp = new TempDirectory("evomerge-improve");
        var layout = ConflictingSpecialists.Write(temp.Path);
        string path = Path.Combine(temp.Path, "improve.yml");
        File.WriteAllText(path, $"""
            base_model: models/base
            models: [models/a, models/b]
            {layout.ObjectivesYaml()}
            genome:
              methods: [task_arithmetic]
              layer_groups: 2
              ranges:
                weight: [0, 2]
            optimizer:
              name: nsga2
              settings:
                population_size: 10
            budget:
              generations: 10
            seed: 4
            run_dir: runs/improve
            """);
        var config = SearchConfigReader.ReadFile(path);
        using var run = SearchRun.Start(config);
        run.Run();

        // "Best" = the larger sum of both accuracies (each in [0, 1]).
        static double Sum(double[] objectives) => objectives[0] + objectives[1];
        var sources = ReferenceScoring.Score(run);
        double bestSource = sources.Where(r => r.Kind == ReferenceKind.Source).Max(r => Sum(r.Objectives));
        double plainSum = Sum(sources.Single(r => r.Label == "task_arithmetic w=1").Objectives);
        var rows = new EvaluationLog(new RunFiles(config.RunDirectory).Evaluations, ["a", "b"], 0).Read();
        double firstGeneration = rows.Where(r => r.Generation == 0 && r.Status == EvaluationStatus.Scored).Max(r => Sum(r.Objectives));
        double final = run.Archive.Max(m => Sum(m.Payload.Objectives));
        output.WriteLine($"sources {string.Join(" ", sources.Select(s => $"{s.Label}=({s.Objectives[0]:F3},{s.Objectives[1]:F3})"))}");
        output.WriteLine($"best source {bestSource:F3}, plain sum {plainSum:F3}, generation 0 best {firstGeneration:F3}, final best {final:F3}");
        output.WriteLine(string.Join(" ", run.Statistics.Select(s => $"{s.Generation}:{s.Hypervolume:F4}")));

        Assert.True(firstGeneration < 1.9, $"generation 0 must not already hold a near-perfect merge (best sum {firstGeneration})");
        Assert.True(final > bestSource, $"the archive's best ({final}) beats the best source ({bestSource})");
        Assert.True(final > firstGeneration, $"the archive's best ({final}) beats generation 0's best ({firstGeneration})");
        Assert.True(final > plainSum, $"and the plain task-arithmetic sum ({plainSum})");
        Assert.True(run.Statistics[^1].Hypervolume > run.Statistics[0].Hypervolume);
    }
}
