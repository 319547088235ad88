using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Demo;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// A routed merge through the real CLI, child process by child process: <c>evomerge merge routed.yml OUT</c>, then
/// <c>evomerge inspect OUT</c> and <c>evomerge eval</c> of OUT and of models the test writes itself from OUT's files:
/// the backbone with expert i's B·A added, as ordinary models (what a router that always picks i must score), and
/// OUT with prototypes that always pick expert 1. Non-routed loaders (<c>evomerge analyze</c>) refuse OUT.
/// </summary>
public sealed class RoutedMergeEvalCliTests
{
    private const string Recipe = """
        merge_method: routed
        base_model: models/base
        models:
          - model: models/a
            parameters: {weight: 0.5}
          - model: models/b
            parameters: {weight: 0.5}
        routed:
          backbone: task_arithmetic
          rank: 64
          router: {layer: 1, temperature: 1.0, granularity: sequence, top_k: 1}
        proxy_tasks:
          models/a: tasks/a.yml
          models/b: tasks/b.yml
        proxy_prompts: 4
        dtype: float32

        """;

    private const string Prototypes = "evomerge_routed.router.prototypes";

    [Fact]
    public void A_routed_merge_is_inspected_evaluated_like_its_statically_merged_experts_and_refused_by_analyze()
    {
        using var root = new TempDirectory();
        var layout = WriteProblem(root.Path);
        string recipe = root.Combine("routed.yml"), output = root.Combine("out");
        File.WriteAllText(recipe, Recipe);

        var merge = CliRunner.Run(TimeSpan.FromMinutes(4), "merge", recipe, output, "--device", "cpu");
        Assert.True(merge.ExitCode == 0, merge.Stderr);
        string last = merge.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Contains("(2 layers, routed (backbone task_arithmetic, rank 64, 2 experts)) into " + output, last);

        // inspect: the backbone as usual plus the routed block. Full rank of layer 1's residuals, per expert:
        // q, o [32, 32] → 32 · 64; k, v [16, 32] → 16 · 48; gate, up [64, 32] and down [32, 64] → 32 · 96.
        var inspect = CliRunner.Run(TimeSpan.FromMinutes(2), "inspect", output, "--json");
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        using (var json = JsonDocument.Parse(inspect.Stdout))
        {
            var routed = json.RootElement.GetProperty("routed");
            long perExpert = 2 * 32 * 64 + 2 * 16 * 48 + 3 * 32 * 96;
            Assert.Equal(2, routed.GetProperty("experts").GetInt32());
            Assert.Equal(["models/a", "models/b"], routed.GetProperty("sources").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(64, routed.GetProperty("rank").GetInt32());
            Assert.Equal(1, routed.GetProperty("router_layer").GetInt32());
            Assert.Equal("sequence", routed.GetProperty("granularity").GetString());
            Assert.Equal(2 * perExpert, routed.GetProperty("expert_parameters").GetInt64());
            Assert.Equal(2 * 32, routed.GetProperty("router_parameters").GetInt64());
            long backbone = TinyParameters();
            Assert.Equal(backbone, routed.GetProperty("backbone_parameters").GetInt64());
            Assert.Equal(backbone + 2 * perExpert + 64, json.RootElement.GetProperty("parameters").GetInt64());
            Assert.Equal((backbone + 2.0 * perExpert + 64) / backbone, routed.GetProperty("total_to_backbone").GetDouble(), 12);
            foreach (var expert in routed.GetProperty("per_expert").EnumerateArray())
            {
                Assert.Equal(perExpert, expert.GetProperty("parameters").GetInt64());
                Assert.Equal((7, 16, 32), (expert.GetProperty("factored_weights").GetInt32(), expert.GetProperty("min_rank").GetInt32(), expert.GetProperty("max_rank").GetInt32()));
            }
            var layer = Assert.Single(routed.GetProperty("layers").EnumerateArray());
            Assert.Equal(1, layer.GetProperty("layer").GetInt32());
            Assert.Equal([7, 7], layer.GetProperty("factored_weights_per_expert").EnumerateArray().Select(e => e.GetInt32()));
        }
        var text = CliRunner.Run(TimeSpan.FromMinutes(2), "inspect", output);
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Contains("routed         2 experts, rank 64; router prototype at layer 1, temperature 1, sequence, top_k 1", text.Stdout);
        Assert.Contains("  expert 1     models/b: 14,848 parameters, 7 factored weights, rank 16 … 32", text.Stdout);

        var analyze = CliRunner.Run(TimeSpan.FromMinutes(2), "analyze", layout.Base, output);
        Assert.Equal(1, analyze.ExitCode);
        Assert.Equal($"evomerge: error: {Path.Combine(output, "config.json")}: field 'evomerge_routed' marks a routed-experts model (docs/routed-merges.md); "
            + "only evomerge eval and inspect read it, it cannot be merged, analyzed or searched from",
            Assert.Single(analyze.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        string static0 = WriteStatic(output, root.Combine("static0"), 0), static1 = WriteStatic(output, root.Combine("static1"), 1);
        string pick1 = WritePicking(output, root.Combine("pick1"), 1);
        var routedScores = Eval(output, layout, root.Combine("eval-out"));
        var static0Scores = Eval(static0, layout, root.Combine("eval-static0"));
        var static1Scores = Eval(static1, layout, root.Combine("eval-static1"));
        var pick1Scores = Eval(pick1, layout, root.Combine("eval-pick1"));

        // Always expert 1: the same documents' log-likelihoods and accuracies as backbone + B_1·A_1.
        Assert.Equal(static1Scores.Accuracy, pick1Scores.Accuracy);
        AssertSame(static1Scores, pick1Scores, _ => true);
        // The two experts' static models differ, so matching one of them per document says which expert ran.
        Assert.Contains(static0Scores.Documents.Keys, key => Differs(static0Scores.Documents[key], static1Scores.Documents[key]));
        // OUT as merged: sequence top-1 routing runs each document on one expert, so each document's log-likelihoods
        // are those of expert 0's or expert 1's static model.
        foreach (var (key, values) in routedScores.Documents)
            Assert.True(!Differs(values, static0Scores.Documents[key]) || !Differs(values, static1Scores.Documents[key]), $"document {key}: [{string.Join(", ", values)}]");
    }

    /// <summary>The tiny specialists, each additionally changed in every decoder-layer linear weight (so the residuals have full rank).</summary>
    private static TinySpecialists.Layout WriteProblem(string root)
    {
        var layout = TinySpecialists.Write(root, itemsPerTask: 8);
        var generator = new torch.Generator(17);
        foreach (string model in new[] { layout.SpecialistA, layout.SpecialistB })
        {
            using var scope = torch.NewDisposeScope();
            List<(string, torch.Tensor)> tensors;
            using (var directory = ModelDirectory.Open(model))
            {
                using var spread = 0.05f.ToScalar();
                tensors = directory.Weights.Names.Select(n => (n, n.StartsWith("model.layers.", StringComparison.Ordinal) && n.EndsWith("proj.weight", StringComparison.Ordinal)
                    ? directory.Weights.Load(n).add(torch.randn(directory.Weights.Info(n).Shape, generator: generator).mul(spread))
                    : directory.Weights.Load(n))).ToList();
            }
            foreach (string file in Directory.EnumerateFiles(model, "model*.safetensors*")) File.Delete(file);
            SafetensorsWriter.WriteModel(model, tensors);
        }
        return layout;
    }

    /// <summary>Parameters of a tiny specialist (2 layers, hidden 32, intermediate 64, 4 heads / 2 KV heads, untied 258-token vocabulary).</summary>
    private static long TinyParameters()
    {
        var spec = TinySpecialists.Spec;
        long layer = 2 * 32 + 32 * 32 + 2 * 16 * 32 + 32 * 32 + 3 * 64 * 32;
        return spec.Layers * layer + 2L * spec.VocabSize * 32 + 32;
    }

    /// <summary>OUT's backbone tensors with expert <paramref name="expert"/>'s B·A (float64) added to each factored weight, written as an ordinary model.</summary>
    private static string WriteStatic(string routed, string directory, int expert)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(routed, "config.json")))!.AsObject();
        config.Remove("evomerge_routed");
        using var scope = torch.NewDisposeScope();
        var tensors = new List<(string, torch.Tensor)>();
        using (var weights = ModelWeights.Open(routed))
        {
            foreach (string name in weights.Names.Where(n => !n.Contains(".routed_experts.", StringComparison.Ordinal) && n != Prototypes))
            {
                var tensor = weights.Load(name).to_type(torch.ScalarType.Float64);
                string a = $"{name}.routed_experts.{expert}.lora_A", b = $"{name}.routed_experts.{expert}.lora_B";
                if (weights.Contains(a)) tensor = tensor.add(weights.Load(b).to_type(torch.ScalarType.Float64).matmul(weights.Load(a).to_type(torch.ScalarType.Float64)));
                tensors.Add((name, tensor.to_type(torch.ScalarType.Float32)));
            }
        }
        Directory.CreateDirectory(directory);
        SafetensorsWriter.WriteModel(directory, tensors);
        CopyAuxiliaryFiles(routed, directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString());
        return directory;
    }

    /// <summary>A copy of OUT whose prototypes put expert <paramref name="expert"/>'s at the origin and the other 10⁴ away on the diagonal.</summary>
    private static string WritePicking(string routed, string directory, int expert)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new List<(string, torch.Tensor)>();
        using (var weights = ModelWeights.Open(routed))
        {
            foreach (string name in weights.Names)
            {
                var tensor = weights.Load(name);
                if (name == Prototypes)
                {
                    tensor = torch.full(tensor.shape, 1e4f);
                    tensor[expert].zero_();
                }
                tensors.Add((name, tensor));
            }
        }
        Directory.CreateDirectory(directory);
        SafetensorsWriter.WriteModel(directory, tensors);
        CopyAuxiliaryFiles(routed, directory);
        File.Copy(Path.Combine(routed, "config.json"), Path.Combine(directory, "config.json"));
        return directory;
    }

    private static void CopyAuxiliaryFiles(string from, string to)
    {
        foreach (string file in ModelDirectory.AuxiliaryFileNames.Where(f => File.Exists(Path.Combine(from, f))))
            File.Copy(Path.Combine(from, file), Path.Combine(to, file));
    }

    private sealed record Scores(IReadOnlyList<double> Accuracy, IReadOnlyDictionary<string, double[]> Documents);

    /// <summary><c>evomerge eval MODEL --task a --task b</c> as a child process: each task's acc and each document's log-likelihoods.</summary>
    private static Scores Eval(string model, TinySpecialists.Layout layout, string directory)
    {
        Directory.CreateDirectory(directory);
        string results = Path.Combine(directory, "results.json"), samples = Path.Combine(directory, "samples.jsonl");
        var run = CliRunner.Run(TimeSpan.FromMinutes(3), "eval", model, "--task", layout.TaskA, "--task", layout.TaskB,
            "--output", results, "--log-samples", samples, "--device", "cpu");
        Assert.True(run.ExitCode == 0, $"eval {model}: {run.Stderr}");
        using var json = JsonDocument.Parse(File.ReadAllText(results));
        var accuracy = json.RootElement.GetProperty("tasks").EnumerateArray()
            .Select(t => t.GetProperty("metrics").GetProperty("acc").GetProperty("value").GetDouble()).ToList();
        var documents = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(samples))
        {
            using var sample = JsonDocument.Parse(line);
            var r = sample.RootElement;
            documents[$"{r.GetProperty("task").GetString()}#{r.GetProperty("doc_index").GetInt32()}"] =
                r.GetProperty("loglikelihoods").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        }
        Assert.Equal(16, documents.Count);
        return new Scores(accuracy, documents);
    }

    private static void AssertSame(Scores expected, Scores actual, Func<string, bool> which)
    {
        Assert.Equal(expected.Documents.Keys.Order(), actual.Documents.Keys.Order());
        foreach (string key in expected.Documents.Keys.Where(which))
            Assert.False(Differs(expected.Documents[key], actual.Documents[key]), $"document {key}: [{string.Join(", ", expected.Documents[key])}] vs [{string.Join(", ", actual.Documents[key])}]");
    }

    private static bool Differs(double[] a, double[] b) => a.Length != b.Length || a.Zip(b).Any(p => Math.Abs(p.First - p.Second) > 1e-3);
}
