using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge merge</c> and <c>inspect</c> as child processes on tiny models of every architecture family. The
/// expected tensor names and shapes are written out here by hand from each family's HuggingFace modeling code (not
/// read from EvoMerge's architecture data), for models with hidden 16, 4 heads (2 kv heads where the family has
/// grouped-query attention, so head_dim 4: q 16, kv 8), intermediate 24, vocabulary 40, 64 positions, 3 experts
/// of width 8 and 3 layers.
/// </summary>
public class ArchitectureMergeCliTests
{
    /// <summary>A family's expected tensors: "name:AxB" per tensor, layer names relative to <paramref name="Prefix"/>.</summary>
    public sealed record Family(string ModelType, string Prefix, string[] Pre, string[] Layer, string[] Post, bool? Tied = null, int? HeadDim = null, string? Extra = null)
    {
        public override string ToString() => ModelType;
    }

    private static readonly string[] Attention =
        ["input_layernorm.weight:16", "self_attn.q_proj.weight:16x16", "self_attn.k_proj.weight:8x16", "self_attn.v_proj.weight:8x16",
         "self_attn.o_proj.weight:16x16", "post_attention_layernorm.weight:16"];

    private static readonly string[] QkvBias = ["self_attn.q_proj.bias:16", "self_attn.k_proj.bias:8", "self_attn.v_proj.bias:8"];

    private static readonly string[] Mlp = ["mlp.gate_proj.weight:24x16", "mlp.up_proj.weight:24x16", "mlp.down_proj.weight:16x24"];

    private static readonly string[] Embed = ["model.embed_tokens.weight:40x16"];

    private static readonly string[] Head = ["model.norm.weight:16", "lm_head.weight:40x16"];

    private static readonly string[] TiedHead = ["model.norm.weight:16"];

    private static readonly string[] GemmaNorms = ["pre_feedforward_layernorm.weight:16", "post_feedforward_layernorm.weight:16"];

    private static string[] Experts(params string[] perExpert) =>
        [.. Enumerable.Range(0, 3).SelectMany(e => perExpert.Select(t => t.Replace("{e}", e.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)))];

    private static readonly Family[] Families =
    [
        new("llama", "model.layers.{i}.", Embed, [.. Attention, .. Mlp], Head, Tied: false),
        new("mistral", "model.layers.{i}.", Embed, [.. Attention, .. Mlp], TiedHead, Tied: true),
        new("qwen2", "model.layers.{i}.", Embed, [.. Attention, .. QkvBias, .. Mlp], Head, Tied: false),
        new("qwen3", "model.layers.{i}.", Embed, [.. Attention, "self_attn.q_norm.weight:4", "self_attn.k_norm.weight:4", .. Mlp], TiedHead, Tied: true),
        new("mixtral", "model.layers.{i}.", Embed,
            [.. Attention, "block_sparse_moe.gate.weight:3x16",
             .. Experts("block_sparse_moe.experts.{e}.w1.weight:24x16", "block_sparse_moe.experts.{e}.w2.weight:16x24", "block_sparse_moe.experts.{e}.w3.weight:24x16")],
            Head),
        new("qwen2_moe", "model.layers.{i}.", Embed,
            [.. Attention, .. QkvBias, "mlp.gate.weight:3x16",
             .. Experts("mlp.experts.{e}.gate_proj.weight:8x16", "mlp.experts.{e}.up_proj.weight:8x16", "mlp.experts.{e}.down_proj.weight:16x8"),
             "mlp.shared_expert.gate_proj.weight:24x16", "mlp.shared_expert.up_proj.weight:24x16", "mlp.shared_expert.down_proj.weight:16x24",
             "mlp.shared_expert_gate.weight:1x16"],
            Head),
        new("gemma", "model.layers.{i}.", Embed, [.. Attention, .. Mlp], TiedHead),
        new("gemma2", "model.layers.{i}.", Embed, [.. Attention, .. GemmaNorms, .. Mlp], TiedHead),
        new("gemma3_text", "model.layers.{i}.", Embed,
            ["input_layernorm.weight:16", "self_attn.q_proj.weight:32x16", "self_attn.k_proj.weight:16x16", "self_attn.v_proj.weight:16x16",
             "self_attn.q_norm.weight:8", "self_attn.k_norm.weight:8", "self_attn.o_proj.weight:16x32", "post_attention_layernorm.weight:16",
             .. GemmaNorms, .. Mlp],
            Head, Tied: false, HeadDim: 8),
        new("phi3", "model.layers.{i}.", Embed,
            ["input_layernorm.weight:16", "self_attn.qkv_proj.weight:32x16", "self_attn.o_proj.weight:16x16", "post_attention_layernorm.weight:16",
             "mlp.gate_up_proj.weight:48x16", "mlp.down_proj.weight:16x24"],
            Head),
        new("gpt2", "transformer.h.{i}.", ["transformer.wte.weight:40x16", "transformer.wpe.weight:64x16"],
            ["ln_1.weight:16", "ln_1.bias:16", "attn.c_attn.weight:16x48", "attn.c_attn.bias:48", "attn.c_proj.weight:16x16", "attn.c_proj.bias:16",
             "ln_2.weight:16", "ln_2.bias:16", "mlp.c_fc.weight:16x24", "mlp.c_fc.bias:24", "mlp.c_proj.weight:24x16", "mlp.c_proj.bias:16"],
            ["transformer.ln_f.weight:16", "transformer.ln_f.bias:16"]),
        new("gpt_neox", "gpt_neox.layers.{i}.", ["gpt_neox.embed_in.weight:40x16"],
            ["input_layernorm.weight:16", "input_layernorm.bias:16", "post_attention_layernorm.weight:16", "post_attention_layernorm.bias:16",
             "attention.query_key_value.weight:48x16", "attention.query_key_value.bias:48", "attention.dense.weight:16x16", "attention.dense.bias:16",
             "mlp.dense_h_to_4h.weight:24x16", "mlp.dense_h_to_4h.bias:24", "mlp.dense_4h_to_h.weight:16x24", "mlp.dense_4h_to_h.bias:16"],
            ["gpt_neox.final_layer_norm.weight:16", "gpt_neox.final_layer_norm.bias:16", "embed_out.weight:40x16"]),
        new("stablelm", "model.layers.{i}.", Embed,
            [.. Attention, .. QkvBias, "input_layernorm.bias:16", "post_attention_layernorm.bias:16", .. Mlp],
            ["model.norm.weight:16", "model.norm.bias:16", "lm_head.weight:40x16"], Extra: """{"use_qkv_bias": true}"""),
        new("granite", "model.layers.{i}.", Embed, [.. Attention, .. QkvBias, "self_attn.o_proj.bias:16", .. Mlp], TiedHead, Tied: true,
            Extra: """{"attention_bias": true}"""),
    ];

    public static TheoryData<Family> AllFamilies() => [.. Families];

    private const string LinearSlices = """
        slices:
          - sources:
              - model: ./a
                layer_range: [0, 2]
                parameters: {weight: 0.25}
              - model: ./b
                layer_range: [0, 2]
                parameters: {weight: 0.75}
          - sources:
              - model: ./a
                layer_range: [1, 3]
                parameters: {weight: 0.25}
              - model: ./b
                layer_range: [1, 3]
                parameters: {weight: 0.75}
        merge_method: linear
        dtype: float32
        """;

    private const string PassthroughSlices = """
        slices:
          - sources:
              - model: ./a
                layer_range: [0, 1]
          - sources:
              - model: ./b
                layer_range: [2, 3]
        merge_method: passthrough
        dtype: float32
        """;

    private static TinyArchitectureSpec Spec(Family f) => new()
    {
        ModelType = f.ModelType, Layers = 3, HiddenSize = 16, Heads = 4, KeyValueHeads = 2, IntermediateSize = 24, VocabSize = 40,
        MaxPositions = 64, Experts = 3, ExpertIntermediateSize = 8, TieWordEmbeddings = f.Tied, HeadDim = f.HeadDim,
        Extra = f.Extra is null ? null : (JsonObject)JsonNode.Parse(f.Extra)!,
    };

    /// <summary>Name → shape of a model with <paramref name="layers"/> layers, from the hand-written lists.</summary>
    private static Dictionary<string, long[]> Expected(Family f, int layers)
    {
        static (string, long[]) Parse(string entry)
        {
            var parts = entry.Split(':');
            return (parts[0], parts[1].Split('x').Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray());
        }
        var result = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (n, s) in f.Pre.Concat(f.Post).Select(Parse)) result[n] = s;
        for (int i = 0; i < layers; i++)
        {
            foreach (var (n, s) in f.Layer.Select(Parse)) result[f.Prefix.Replace("{i}", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) + n] = s;
        }
        return result;
    }

    private static string LayerName(Family f, int layer, string local) =>
        f.Prefix.Replace("{i}", layer.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) + local;

    private static void AssertNamesAndShapes(Dictionary<string, long[]> expected, ModelWeights weights)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), weights.Names.Order(StringComparer.Ordinal));
        foreach (var (name, shape) in expected) Assert.True(shape.SequenceEqual(weights.Info(name).Shape), $"{name}: {weights.Info(name).ShapeText}");
    }

    [Theory]
    [MemberData(nameof(AllFamilies))]
    public void Every_family_merges_linearly_over_layer_slices_passes_slices_through_and_inspects(Family family)
    {
        using var dir = new TempDirectory();
        TinyArchitectureWriter.WriteRandom(dir.Combine("a"), Spec(family), seed: 1);
        TinyArchitectureWriter.WriteRandom(dir.Combine("b"), Spec(family), seed: 2);
        using (var a = ModelWeights.Open(dir.Combine("a"))) AssertNamesAndShapes(Expected(family, 3), a);
        File.WriteAllText(dir.Combine("linear.yml"), LinearSlices);
        File.WriteAllText(dir.Combine("passthrough.yml"), PassthroughSlices);
        string layerKey = family.ModelType == "gpt2" ? "n_layer" : "num_hidden_layers";

        var linear = CliRunner.Run(TimeSpan.FromMinutes(3), "merge", dir.Combine("linear.yml"), dir.Combine("linear"));
        Assert.True(linear.ExitCode == 0, linear.Stderr);
        Assert.Equal(4, JsonNode.Parse(File.ReadAllText(dir.Combine("linear", "config.json")))![layerKey]!.GetValue<int>());
        using (var a = ModelWeights.Open(dir.Combine("a")))
        using (var b = ModelWeights.Open(dir.Combine("b")))
        using (var merged = ModelWeights.Open(dir.Combine("linear")))
        {
            AssertNamesAndShapes(Expected(family, 4), merged);
            // Output layers 0, 1 come from source layers 0, 1 (first slice); 2, 3 from source layers 1, 2 (second slice).
            var sources = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string n in family.Pre.Concat(family.Post).Select(e => e.Split(':')[0])) sources[n] = n;
            foreach (string local in family.Layer.Select(e => e.Split(':')[0]))
            {
                for (int o = 0; o < 4; o++) sources[LayerName(family, o, local)] = LayerName(family, o < 2 ? o : o - 1, local);
            }
            foreach (var (output, source) in sources)
            {
                using var scope = torch.NewDisposeScope();
                var expected = a.Load(source, torch.ScalarType.Float32) * 0.25 + b.Load(source, torch.ScalarType.Float32) * 0.75;
                Assert.True(torch.allclose(merged.Load(output, torch.ScalarType.Float32), expected, rtol: 1e-6, atol: 1e-7), output);
            }
        }

        var passthrough = CliRunner.Run(TimeSpan.FromMinutes(3), "merge", dir.Combine("passthrough.yml"), dir.Combine("passthrough"));
        Assert.True(passthrough.ExitCode == 0, passthrough.Stderr);
        Assert.Equal(2, JsonNode.Parse(File.ReadAllText(dir.Combine("passthrough", "config.json")))![layerKey]!.GetValue<int>());
        using (var a = ModelWeights.Open(dir.Combine("a")))
        using (var b = ModelWeights.Open(dir.Combine("b")))
        using (var merged = ModelWeights.Open(dir.Combine("passthrough")))
        {
            AssertNamesAndShapes(Expected(family, 2), merged);
            string pre = family.Pre[0].Split(':')[0], post = family.Post[^1].Split(':')[0], local = family.Layer[^1].Split(':')[0];
            foreach (var (output, model, source) in new[] { (pre, a, pre), (post, b, post), (LayerName(family, 0, local), a, LayerName(family, 0, local)), (LayerName(family, 1, local), b, LayerName(family, 2, local)) })
            {
                using var scope = torch.NewDisposeScope();
                Assert.True(merged.Load(output).equal(model.Load(source)).all().item<bool>(), output);
            }
        }

        var inspect = CliRunner.Run("inspect", dir.Combine("a"), "--json");
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        using var json = JsonDocument.Parse(inspect.Stdout);
        var root = json.RootElement;
        Assert.Equal(family.ModelType, root.GetProperty("family").GetString());
        Assert.Equal(family.Prefix, root.GetProperty("layer_prefix").GetString());
        int experts = family.ModelType is "mixtral" or "qwen2_moe" ? 3 : 0;
        Assert.Equal(experts, root.GetProperty("experts").GetInt32());
        var perLayer = family.Layer.Select(e => e.Split(':')[0].Replace(".experts.0.", ".experts.{e}.", StringComparison.Ordinal))
            .Where(n => !n.Contains(".experts.1.", StringComparison.Ordinal) && !n.Contains(".experts.2.", StringComparison.Ordinal));
        Assert.Equal(perLayer.Order(StringComparer.Ordinal), root.GetProperty("layer_tensors").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(!family.Post.Any(p => p.Contains("lm_head", StringComparison.Ordinal) || p.Contains("embed_out", StringComparison.Ordinal)),
            root.GetProperty("tied_embeddings").GetBoolean());
        var text = CliRunner.Run("inspect", dir.Combine("a"));
        Assert.Contains($"family         {family.ModelType}, layers under {family.Prefix}", text.Stdout);
    }
}
