using EvoMerge.Demo;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search.Materialization;

/// <summary>A candidate whose merged weights hold NaN is infeasible, and the journal (and so the log line) says why.</summary>
public class NonFiniteCandidateTests
{
    private const string Poisoned = "model.layers.0.mlp.up_proj.weight";

    [Fact]
    public void Candidates_merged_from_a_source_holding_nan_fail_naming_the_tensor()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path);
        var weights = new List<(string Name, torch.Tensor Tensor)>();
        using (var model = ModelWeights.Open(layout.SpecialistA))
        {
            foreach (string name in model.Names) weights.Add((name, model.Load(name).DetachFromDisposeScope()));
        }
        using (var flat = weights.Single(w => w.Name == Poisoned).Tensor.view(-1)) flat[5].fill_(float.NaN);
        TinyDecoderWriter.Write(layout.SpecialistA, TinySpecialists.Spec, weights);
        foreach (var (_, tensor) in weights) tensor.Dispose();

        string path = Path.Combine(temp.Path, "search.yml");
        File.WriteAllText(path, "base_model: models/base\nmodels: [models/a, models/b]\n" + layout.ObjectivesYaml()
            + "genome:\n  methods: [task_arithmetic]\n  layer_groups: 1\noptimizer:\n  name: nsga2\n  settings:\n    population_size: 4\n"
            + "budget:\n  generations: 1\nseed: 3\nrun_dir: runs/nan\n");
        var config = SearchConfigReader.ReadFile(path);
        using (var run = SearchRun.Start(config)) run.Run();

        var rows = new EvaluationLog(new RunFiles(config.RunDirectory).Evaluations, ["a", "b"], 0).Read().Where(r => !r.Cached).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r =>
        {
            Assert.Equal(EvaluationStatus.Failed, r.Status);
            Assert.Equal($"materialising failed: merged weights are not finite: tensor '{Poisoned}' holds NaN or infinite values", r.Reason);
        });
    }
}
