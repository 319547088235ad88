using System.Diagnostics;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Search.Configuration;
using EvoMerge.Demo;
using EvoMerge.Optimization;
using EvoMerge.Search.Runs;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace EvoMerge.Tests.Search.Materialization;

/// <summary>
/// Materialising and scoring many candidates keeps memory flat: after a warm-up, the number of live tensors does not
/// change from one candidate to the next, and neither the process's resident memory nor the managed heap grows
/// between the first and the last 50 candidates. The real materialiser and evaluator, on random genomes over three
/// merge methods and a layer ordering (so both merge stages and identity slots run).
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public class CandidateMemoryTests(ITestOutputHelper output)
{
    private const int Candidates = 200;
    private const int WarmUp = 50;
    private const int Window = 50;

    /// <summary>Resident memory may differ by this much between the two windows' means (allocator and JIT noise).</summary>
    private const double ResidentToleranceBytes = 8 << 20;

    /// <summary>The managed heap may differ by this much.</summary>
    private const double ManagedToleranceBytes = 1 << 20;

    /// <summary>The recipe of the next random genome whose layer ordering keeps a layer (the search marks the others infeasible).</summary>
    private static EvoMerge.Search.Genomes.CandidateRecipe NextRecipe(SearchRun run, SearchRandom genomes)
    {
        while (true)
        {
            var candidate = run.Setup.Layout.Decode(run.Setup.Layout.Space.RandomGenome(genomes));
            if (candidate.Slots is { Count: 0 }) continue;
            return run.Setup.Composer.Compose(candidate);
        }
    }

    [Fact]
    public void MaterialisingAndScoringManyCandidatesKeepsMemoryFlat()
    {
        using var temp = new TempDirectory("evomerge-memory");
        var spec = TinySpecialists.Spec with { HiddenSize = 64, IntermediateSize = 192 };
        var random = new Random(7);
        foreach (var (name, seed) in new[] { ("base", 1L), ("a", 2L), ("b", 3L) })
        {
            string model = Path.Combine(temp.Path, "models", name);
            TinyDecoderWriter.WriteRandom(model, spec, seed);
            ByteLevelTokenizerWriter.Write(model, []);
        }
        Directory.CreateDirectory(Path.Combine(temp.Path, "tasks"));
        string baseModel = Path.Combine(temp.Path, "models", "base");
        TinySpecialists.WriteTask(Path.Combine(temp.Path, "tasks", "a.yml"), "a", baseModel, 'A', 8, random);
        TinySpecialists.WriteTask(Path.Combine(temp.Path, "tasks", "b.yml"), "b", baseModel, 'a', 8, random);
        string path = Path.Combine(temp.Path, "memory.yml");
        File.WriteAllText(path, """
            base_model: models/base
            models: [models/a, models/b]
            objectives:
              - {name: a, task: tasks/a.yml, metric: acc}
              - {name: b, task: tasks/b.yml, metric: acc}
            genome:
              methods: [ties, dare_ties, task_arithmetic]
              layer_groups: 2
              layer_ordering:
                repeats: 2
            optimizer: {name: random}
            budget: {generations: 1}
            seed: 8
            run_dir: runs/memory
            """);
        var config = SearchConfigReader.ReadFile(path);
        using var run = SearchRun.Start(config);
        var evaluator = run.Setup.CreateEvaluator();
        var genomes = new SearchRandom(12);
        var screening = new SearchRandom(13);
        var live = new long[Candidates];
        var resident = new double[Candidates];
        var managed = new double[Candidates];
        using var process = Process.GetCurrentProcess();
        for (int i = 0; i < Candidates; i++)
        {
            var recipe = NextRecipe(run, genomes);
            run.Materializer.Materialize(recipe);
            var evaluation = evaluator.Evaluate(recipe.Hash, run.Materializer.Model, screening, []);
            Assert.Equal(EvoMerge.Search.Scoring.EvaluationStatus.Scored, evaluation.Status);
            live[i] = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            managed[i] = GC.GetTotalMemory(forceFullCollection: true);
            process.Refresh();
            resident[i] = process.WorkingSet64;
        }

        double Mean(double[] values, int from) => values.Skip(from).Take(Window).Average();
        double residentFirst = Mean(resident, WarmUp), residentLast = Mean(resident, Candidates - Window);
        double managedFirst = Mean(managed, WarmUp), managedLast = Mean(managed, Candidates - Window);
        output.WriteLine($"live tensors {live[WarmUp]} → {live[^1]}; resident {residentFirst / 1048576:F1} → {residentLast / 1048576:F1} MiB; managed {managedFirst / 1048576:F2} → {managedLast / 1048576:F2} MiB");
        Assert.All(live.Skip(WarmUp), count => Assert.Equal(live[WarmUp], count));
        Assert.True(residentLast - residentFirst < ResidentToleranceBytes, $"resident memory grew from {residentFirst / 1048576:F1} to {residentLast / 1048576:F1} MiB");
        Assert.True(managedLast - managedFirst < ManagedToleranceBytes, $"the managed heap grew from {managedFirst / 1048576:F2} to {managedLast / 1048576:F2} MiB");
    }
}
