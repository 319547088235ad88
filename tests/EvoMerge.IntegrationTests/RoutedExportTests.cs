using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EvoMerge.Demo;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// A routed search through the CLI (docs/routed-merges.md, <c>genome.routed</c>), each step a child process:
/// <c>evomerge search</c>, <c>evomerge export</c> of a member (routed format, <c>--verify</c> passes),
/// <c>evomerge merge</c> of the exported merge.yml with its seed (the same tensors), and <c>evomerge eval</c> of the
/// export (the archived scores, exactly). The specialists get seeded noise in every projection weight so the experts'
/// residuals are not zero.
/// </summary>
public class RoutedExportTests
{
    [Fact]
    public void A_routed_member_exports_in_the_routed_format_that_merge_reproduces_and_eval_scores_as_archived()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 16);
        Perturb(layout.SpecialistA, 21);
        Perturb(layout.SpecialistB, 22);
        string config = Path.Combine(temp.Path, "search.yml");
        File.WriteAllText(config, $"""
            base_model: models/base
            models: [models/a, models/b]
            {layout.ObjectivesYaml()}genome:
              methods: [ties, task_arithmetic]
              layer_groups: 2
              routed: {"{"}ranks: [2, full], temperature: [0.1, 10], layer: 1, top_k: 2{"}"}
            merge: {"{"}proxy_tasks: [tasks/a.yml, tasks/b.yml], proxy_prompts: 4{"}"}
            optimizer:
              name: nsga2
              settings:
                population_size: 4
            budget:
              generations: 2
            seed: 9
            run_dir: runs/routed
            """);
        string run = Path.Combine(temp.Path, "runs", "routed");
        var search = CliRunner.Run(TimeSpan.FromMinutes(4), "search", config, "--progress", "none", "--metrics-url", "http://127.0.0.1:0");
        Assert.True(search.ExitCode == 0, search.Stderr);
        var members = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "archive.json")))!["members"]!.AsArray();
        Assert.NotEmpty(members);

        string output = Path.Combine(temp.Path, "member-0");
        var export = CliRunner.Run(TimeSpan.FromMinutes(2), "export", run, "--member", "0", "--out", output, "--verify");
        Assert.True(export.ExitCode == 0, export.Stdout + export.Stderr);
        Assert.Contains("(same)", export.Stdout);
        var block = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "config.json")))!["evomerge_routed"]!;
        Assert.Equal(2, (int)block["experts"]!);
        Assert.Equal(1, (int)block["router"]!["layer"]!);
        string recipe = File.ReadAllText(Path.Combine(output, "merge.yml"));
        Assert.Contains("merge_method: routed\n", recipe, StringComparison.Ordinal);

        // evomerge merge of the exported recipe, with the seed it names, writes the same tensors.
        string seed = Regex.Match(recipe, @"--seed (\d+)").Groups[1].Value;
        string remerged = Path.Combine(temp.Path, "remerged");
        var merge = CliRunner.Run(TimeSpan.FromMinutes(2), "merge", Path.Combine(output, "merge.yml"), remerged, "--seed", seed);
        Assert.True(merge.ExitCode == 0, merge.Stdout + merge.Stderr);
        using (var exported = ModelDirectory.OpenRoutedAware(output))
        using (var again = ModelDirectory.OpenRoutedAware(remerged))
        {
            Assert.Equal(exported.Weights.Names.Order(StringComparer.Ordinal), again.Weights.Names.Order(StringComparer.Ordinal));
            Assert.Contains(exported.Weights.Names, n => n.Contains(".routed_experts.", StringComparison.Ordinal));
            foreach (string name in exported.Weights.Names)
            {
                using var scope = torch.NewDisposeScope();
                var a = exported.Weights.Load(name);
                var b = again.Weights.Load(name);
                Assert.True(a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>(), $"{name} differs between the export and evomerge merge of its recipe");
            }
        }

        // evomerge eval of the export gives the archived objective values.
        string results = Path.Combine(temp.Path, "member-0.json");
        var eval = CliRunner.Run(TimeSpan.FromMinutes(2), "eval", output, "--task", layout.TaskA, "--task", layout.TaskB, "--output", results);
        Assert.True(eval.ExitCode == 0, eval.Stdout + eval.Stderr);
        var scored = JsonNode.Parse(File.ReadAllText(results))!["tasks"]!.AsArray();
        foreach (string task in new[] { "a", "b" })
        {
            double archived = (double)members[0]!["objectives"]![task]!;
            double rescored = (double)scored.Single(t => (string)t!["name"]! == task)!["metrics"]!["acc"]!["value"]!;
            Assert.True(archived == rescored, string.Create(CultureInfo.InvariantCulture, $"{task}: archived {archived:R}, evomerge eval {rescored:R}"));
        }
    }

    /// <summary>Adds seeded noise (σ 0.05) to every decoder-layer projection weight of the model at <paramref name="model"/>.</summary>
    private static void Perturb(string model, ulong seed)
    {
        var generator = new torch.Generator(seed);
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
}
