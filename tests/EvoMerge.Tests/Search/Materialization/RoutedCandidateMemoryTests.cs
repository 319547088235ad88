using System.Diagnostics;
using EvoMerge.Optimization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using EvoMerge.Tests.Search.Routed;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace EvoMerge.Tests.Search.Materialization;

/// <summary>
/// Routed candidates keep memory flat too: each one's experts replace (and dispose) the previous candidate's, so after
/// a warm-up the number of live tensors is the same after every candidate and resident memory does not grow between
/// the first and the last window. Random genomes over two backbones, three ranks (one of them full) and the
/// temperature, materialised and scored by the real materialiser and evaluator.
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public class RoutedCandidateMemoryTests(ITestOutputHelper output)
{
    private const int Candidates = 40;
    private const int WarmUp = 10;
    private const int Window = 15;

    /// <summary>Resident memory may differ by this much between the two windows' means (allocator and JIT noise).</summary>
    private const double ResidentToleranceBytes = 8 << 20;

    [Fact]
    public void Materialising_and_scoring_many_routed_candidates_keeps_memory_flat()
    {
        using var temp = new TempDirectory("evomerge-routed-memory");
        RoutedSpecialists.Write(temp.Path);
        string path = Path.Combine(temp.Path, "memory.yml");
        File.WriteAllText(path, """
            base_model: models/base
            models: [models/a, models/b]
            objectives:
              - {name: a, task: tasks/a.yml, metric: acc}
              - {name: b, task: tasks/b.yml, metric: acc}
            genome:
              methods: [ties, task_arithmetic]
              layer_groups: 2
              routed: {ranks: [2, 8, full], temperature: [0.1, 10], top_k: 2}
            merge: {proxy_tasks: [tasks/a.yml, tasks/b.yml], proxy_prompts: 4}
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
        using var process = Process.GetCurrentProcess();
        for (int i = 0; i < Candidates; i++)
        {
            var recipe = run.Setup.Composer.Compose(run.Setup.Layout.Decode(run.Setup.Layout.Space.RandomGenome(genomes)));
            run.Materializer.Materialize(recipe);
            Assert.NotNull(run.Materializer.Model.Experts);
            var evaluation = evaluator.Evaluate(recipe.Hash, run.Materializer.Model, screening, []);
            Assert.Equal(EvaluationStatus.Scored, evaluation.Status);
            live[i] = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            GC.GetTotalMemory(forceFullCollection: true);
            process.Refresh();
            resident[i] = process.WorkingSet64;
        }

        double Mean(int from) => resident.Skip(from).Take(Window).Average();
        double first = Mean(WarmUp), last = Mean(Candidates - Window);
        output.WriteLine($"live tensors {live[WarmUp]} → {live[^1]}; resident {first / 1048576:F1} → {last / 1048576:F1} MiB");
        Assert.All(live.Skip(WarmUp), count => Assert.Equal(live[WarmUp], count));
        Assert.True(last - first < ResidentToleranceBytes, $"resident memory grew from {first / 1048576:F1} to {last / 1048576:F1} MiB");
    }
}
