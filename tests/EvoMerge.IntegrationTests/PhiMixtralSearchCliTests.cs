using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Demo;
using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// Phi-3 and Mixtral end to end through the built CLI: three tiny models of each (a base and two fine-tunes of three
/// layers; Phi-3 with fused qkv/gate_up projections, partial rotary, longrope scaling whose long factors every prompt
/// uses and a sliding window shorter than the prompts; Mixtral with four experts, two per token, and a sliding
/// window) are inspected, evaluated, dry-run with <c>genome.filters</c> naming the fused and expert tensors, and
/// searched for two generations; an exported archive member rescored by <c>evomerge eval</c> gives its archived scores.
/// </summary>
public class PhiMixtralSearchCliTests
{
    private static TinyDecoderSpec Spec(string family) => family switch
    {
        "phi3" => TinySpecialists.Spec with
        {
            ModelType = "phi3", Layers = 3, MaxPositionEmbeddings = 32,
            RopeScaling = new JsonObject { ["type"] = "longrope", ["short_factor"] = new JsonArray(1.0, 1.5), ["long_factor"] = new JsonArray(3.0, 7.5) },
            Extra = new JsonObject { ["partial_rotary_factor"] = 0.5, ["original_max_position_embeddings"] = 4, ["sliding_window"] = 4 },
        },
        "mixtral" => TinySpecialists.Spec with
        {
            ModelType = "mixtral", Layers = 3, IntermediateSize = 16,
            Extra = new JsonObject { ["num_local_experts"] = 4, ["num_experts_per_tok"] = 2, ["sliding_window"] = 4 },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, null),
    };

    [Theory]
    [InlineData("phi3", "Phi3ForCausalLM", "partial_rotary_factor 0.5, rope_scaling \"longrope\", original_max_position_embeddings 4, max_position_embeddings 32, rope_theta 10000, sliding_window 4", "qkv_proj", "gate_up_proj")]
    [InlineData("mixtral", "MixtralForCausalLM", "num_local_experts 4, num_experts_per_tok 2, rope_theta 10000, sliding_window 4", "block_sparse_moe.experts", "self_attn")]
    public void A_search_over_three_tiny_models_runs_end_to_end(string family, string architecture, string familyConfig, string filter0, string filter1)
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 12, spec: Spec(family));

        var inspect = CliRunner.Run("inspect", layout.SpecialistA);
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        Assert.Contains($"architecture   {architecture} (model_type {family})\n", inspect.Stdout);
        Assert.Contains($"family         {family}, layers under model.layers.{{i}}.\n", inspect.Stdout);
        Assert.Contains($"family config  {familyConfig}\n", inspect.Stdout);

        // Task a's answers are specialist a's own predictions (computed in process), so the CLI's eval scores it 1.
        string results = temp.Combine("results.json");
        var eval = CliRunner.Run(TimeSpan.FromMinutes(3), "eval", layout.SpecialistA, "--task", layout.TaskA, "--output", results);
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using (var json = JsonDocument.Parse(File.ReadAllText(results)))
            Assert.Equal(1.0, json.RootElement.GetProperty("tasks")[0].GetProperty("metrics").GetProperty("acc").GetProperty("value").GetDouble());

        // Hand count: groups embeddings, layers [0,1), layers [1,3), head; each layer group holds a set per filter and
        // the rest (3), the others one: 8 sets × 2 source models × (weight, density) = 32 real genes, plus the method.
        string dryConfig = temp.Combine("dry.yml");
        File.WriteAllText(dryConfig, layout.SearchYaml(population: 4).Replace("  layer_groups: 2\n", $"  layer_groups: 2\n  filters: [{filter0}, {filter1}]\n", StringComparison.Ordinal)
            + "budget:\n  generations: 1\nseed: 5\nrun_dir: runs/dry\n");
        var dry = CliRunner.Run(TimeSpan.FromMinutes(4), "search", dryConfig, "--dry-run");
        Assert.True(dry.ExitCode == 0, dry.Stderr);
        Assert.Contains("genome: 33 genes (32 real in [0, 1], 1 categorical)\n", dry.Stdout);
        Assert.Contains($"  layers[0,1).model0.{filter0}.weight\n", dry.Stdout);
        Assert.Contains("  layers[0,1).model0.rest.density\n", dry.Stdout);
        Assert.Contains(" (3 layers):\n", dry.Stdout);
        Assert.Contains($"- filter: '{filter1}'", dry.Stdout);

        string config = temp.Combine("search.yml");
        File.WriteAllText(config, layout.SearchYaml(population: 4) + $"budget:\n  generations: 2\nseed: 5\nrun_dir: runs/{family}\n");
        var search = CliRunner.Run(TimeSpan.FromMinutes(6), "search", config, "--progress", "none", "--metrics-url", "http://127.0.0.1:0");
        Assert.True(search.ExitCode == 0, search.Stderr);
        Assert.Contains("hypervolume", search.Stdout);
        string run = temp.Combine("runs", family);
        var members = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "archive.json")))!["members"]!.AsArray();
        Assert.NotEmpty(members);

        int last = members.Count - 1;
        string exported = temp.Combine("exported");
        var export = CliRunner.Run(TimeSpan.FromMinutes(2), "export", run, "--member", last.ToString(CultureInfo.InvariantCulture), "--out", exported);
        Assert.True(export.ExitCode == 0, export.Stdout + export.Stderr);
        Assert.Equal(family, (string)JsonNode.Parse(File.ReadAllText(Path.Combine(exported, "config.json")))!["model_type"]!);
        string rescoredFile = temp.Combine("rescored.json");
        var rescore = CliRunner.Run(TimeSpan.FromMinutes(3), "eval", exported, "--task", layout.TaskA, "--task", layout.TaskB, "--output", rescoredFile);
        Assert.True(rescore.ExitCode == 0, rescore.Stdout + rescore.Stderr);
        var scored = JsonNode.Parse(File.ReadAllText(rescoredFile))!["tasks"]!.AsArray();
        foreach (string objective in new[] { "a", "b" })
        {
            double archived = (double)members[last]!["objectives"]![objective]!;
            double rescored = (double)scored.Single(t => (string)t!["name"]! == objective)!["metrics"]!["acc"]!["value"]!;
            Assert.True(archived == rescored, $"member {last} {objective}: archived {archived:R}, evomerge eval {rescored:R}");
        }
    }
}
