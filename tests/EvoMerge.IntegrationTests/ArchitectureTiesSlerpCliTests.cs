using System.Globalization;
using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge merge</c> as a child process with <c>ties</c> and <c>slerp</c> on tiny models of every architecture
/// family (and the flag variants llama <c>attention_bias</c>/<c>mlp_bias</c>, qwen3 <c>attention_bias</c>, stablelm
/// <c>qk_layernorm</c>). Every output tensor is compared with the merge worked out here from mergekit's formulas (TIES:
/// keep the floor(density·n) largest |δ|, elect the sign of Σ w·δ, average the agreeing ones; slerp: the angle formula,
/// lerp above |cos| 0.9995), not with EvoMerge's code. Sizes: hidden 16, 4 heads, 2 kv heads, intermediate 24,
/// vocabulary 40, 2 layers, 3 experts of width 8.
/// </summary>
public class ArchitectureTiesSlerpCliTests
{
    /// <summary>A model type with extra config flags and layer-0 tensors ("name:AxB") its HF modeling code then adds.</summary>
    public sealed record Variant(string ModelType, string? Extra = null, string[]? Adds = null, bool Bare = false)
    {
        public override string ToString() => Bare ? $"{ModelType} without transformer." : Extra is null ? ModelType : $"{ModelType} {Extra}";
    }

    public static TheoryData<Variant> Variants()
    {
        var data = new TheoryData<Variant>();
        foreach (string type in ArchitectureCatalog.ModelTypes) data.Add(new Variant(type));
        // LlamaAttention: q/k/v/o_proj with bias=config.attention_bias; LlamaMLP: gate/up/down_proj with bias=config.mlp_bias.
        data.Add(new Variant("llama", """{"attention_bias": true, "mlp_bias": true}""",
            ["self_attn.q_proj.bias:16", "self_attn.k_proj.bias:8", "self_attn.v_proj.bias:8", "self_attn.o_proj.bias:16",
             "mlp.gate_proj.bias:24", "mlp.up_proj.bias:24", "mlp.down_proj.bias:16"]));
        // Qwen3Attention: q/k/v/o_proj with bias=config.attention_bias; Qwen3MLP has no biases.
        data.Add(new Variant("qwen3", """{"attention_bias": true}""",
            ["self_attn.q_proj.bias:16", "self_attn.k_proj.bias:8", "self_attn.v_proj.bias:8", "self_attn.o_proj.bias:16"]));
        // StableLmAttention with qk_layernorm: StableLmLayerNormPerHead(head_dim, heads) for q and (head_dim, kv heads)
        // for k, each a ModuleList of bias-free LayerNorms: norms.{h}.weight of head_dim 4.
        data.Add(new Variant("stablelm", """{"qk_layernorm": true}""",
            ["self_attn.q_layernorm.norms.0.weight:4", "self_attn.q_layernorm.norms.1.weight:4", "self_attn.q_layernorm.norms.2.weight:4",
             "self_attn.q_layernorm.norms.3.weight:4", "self_attn.k_layernorm.norms.0.weight:4", "self_attn.k_layernorm.norms.1.weight:4"]));
        // GPT2Model.save_pretrained: the same tensors without "transformer." and no lm_head (h.0.…, wte, wpe, ln_f).
        data.Add(new Variant("gpt2", Adds: ["attn.c_attn.weight:16x48", "mlp.c_proj.bias:16"], Bare: true));
        return data;
    }

    /// <summary>Rewrites a model's weights as GPT2Model saves them: "transformer." left out of every name, no head.</summary>
    private static void StripTransformerPrefix(string directory)
    {
        var weights = new List<(string, torch.Tensor)>();
        using (var model = ModelWeights.Open(directory))
        {
            foreach (string name in model.Names.Where(n => n.StartsWith("transformer.", StringComparison.Ordinal)))
                weights.Add((name["transformer.".Length..], model.Load(name)));
        }
        foreach (string file in Directory.GetFiles(directory, "*.safetensors*")) File.Delete(file);
        SafetensorsWriter.WriteModel(directory, weights, SafetensorsWriter.DefaultMaxShardBytes);
        foreach (var (_, t) in weights) t.Dispose();
    }

    private static TinyArchitectureSpec Spec(Variant v) => new()
    {
        ModelType = v.ModelType, Layers = 2, HiddenSize = 16, Heads = 4, KeyValueHeads = 2, IntermediateSize = 24, VocabSize = 40,
        MaxPositions = 64, Experts = 3, ExpertIntermediateSize = 8,
        Extra = v.Extra is null ? null : (JsonObject)JsonNode.Parse(v.Extra)!,
    };

    private const string Ties = """
        models:
          - model: ./a
            parameters: {weight: 0.6, density: 0.5}
          - model: ./b
            parameters: {weight: 0.4, density: 0.5}
        merge_method: ties
        base_model: ./base
        dtype: float32
        """;

    private const string Slerp = """
        models:
          - model: ./base
          - model: ./a
        merge_method: slerp
        base_model: ./base
        parameters:
          t: 0.3
        dtype: float32
        """;

    [Theory]
    [MemberData(nameof(Variants))]
    public void Ties_and_slerp_merge_every_tensor_of_every_family_as_mergekits_formulas_give(Variant variant)
    {
        using var dir = new TempDirectory();
        foreach (var (name, seed) in new[] { ("base", 1L), ("a", 2L), ("b", 3L) })
        {
            TinyArchitectureWriter.WriteRandom(dir.Combine(name), Spec(variant), seed);
            if (variant.Bare) StripTransformerPrefix(dir.Combine(name));
        }
        File.WriteAllText(dir.Combine("ties.yml"), Ties);
        File.WriteAllText(dir.Combine("slerp.yml"), Slerp);

        using (var b0 = ModelWeights.Open(dir.Combine("base")))
        {
            string prefix = variant.Bare ? "h.0." : b0.Names.Any(n => n.StartsWith("model.layers.0.", StringComparison.Ordinal)) ? "model.layers.0." : "";
            if (variant.Bare)
                Assert.Equal(["ln_f.bias", "ln_f.weight", "wpe.weight", "wte.weight"], b0.Names.Where(n => !n.StartsWith("h.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            foreach (string entry in variant.Adds ?? [])
            {
                var parts = entry.Split(':');
                var shape = parts[1].Split('x').Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
                Assert.True(b0.Names.Contains(prefix + parts[0]), $"{prefix + parts[0]} missing");
                Assert.Equal(shape, b0.Info(prefix + parts[0]).Shape);
            }
            if (variant.ModelType == "stablelm" && variant.Extra is not null)
                Assert.DoesNotContain(prefix + "self_attn.k_layernorm.norms.2.weight", b0.Names);
        }

        var ties = CliRunner.Run(TimeSpan.FromMinutes(3), "merge", dir.Combine("ties.yml"), dir.Combine("ties"));
        Assert.True(ties.ExitCode == 0, ties.Stderr);
        var slerp = CliRunner.Run(TimeSpan.FromMinutes(3), "merge", dir.Combine("slerp.yml"), dir.Combine("slerp"));
        Assert.True(slerp.ExitCode == 0, slerp.Stderr);

        using var baseModel = ModelWeights.Open(dir.Combine("base"));
        using var a = ModelWeights.Open(dir.Combine("a"));
        using var b = ModelWeights.Open(dir.Combine("b"));
        using var tiesOut = ModelWeights.Open(dir.Combine("ties"));
        using var slerpOut = ModelWeights.Open(dir.Combine("slerp"));
        Assert.Equal(baseModel.Names.Order(StringComparer.Ordinal), tiesOut.Names.Order(StringComparer.Ordinal));
        Assert.Equal(baseModel.Names.Order(StringComparer.Ordinal), slerpOut.Names.Order(StringComparer.Ordinal));
        foreach (string name in baseModel.Names)
        {
            using var scope = torch.NewDisposeScope();
            var x0 = baseModel.Load(name, torch.ScalarType.Float64);
            var xa = a.Load(name, torch.ScalarType.Float64);
            var xb = b.Load(name, torch.ScalarType.Float64);
            // mergekit computes TIES in the merge dtype (float32): a sign election on a near-cancelling sum depends on it.
            var f0 = x0.to(torch.ScalarType.Float32);
            var expectedTies = TiesByHand(f0, [(xa.to(torch.ScalarType.Float32), 0.6f), (xb.to(torch.ScalarType.Float32), 0.4f)], 0.5);
            AssertClose(expectedTies.to(torch.ScalarType.Float64), tiesOut.Load(name, torch.ScalarType.Float64), $"ties {name}");
            AssertClose(SlerpByHand(x0, xa, 0.3), slerpOut.Load(name, torch.ScalarType.Float64), $"slerp {name}");
        }
    }

    private static void AssertClose(torch.Tensor expected, torch.Tensor actual, string what)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape), what);
        double diff = (expected - actual).abs().max().item<double>();
        Assert.True(diff < 2e-6, $"{what}: max |diff| {diff}");
    }

    /// <summary>
    /// mergekit's TIES in the inputs' dtype: magnitude trim to floor(density·n) (ties to the lower index), sign
    /// election by Σ w·δ (≥ 0 is +), mean of the agreeing ones.
    /// </summary>
    private static torch.Tensor TiesByHand(torch.Tensor x0, (torch.Tensor X, float Weight)[] models, double density)
    {
        var weighted = new List<torch.Tensor>();
        foreach (var (x, w) in models)
        {
            var delta = (x - x0).flatten();
            long k = (long)Math.Floor(density * delta.numel());
            var keep = torch.zeros_like(delta);
            // Equal magnitudes at the cut go to the lower index (a stable sort), EvoMerge's documented rule; mergekit's
            // argsort leaves their order unspecified (the qwen3 and stablelm fixtures hold such a tie in gate_proj).
            var (_, byMagnitude) = delta.abs().sort(0, descending: true, stable: true);
            keep.index_fill_(0, byMagnitude.narrow(0, 0, k), 1.0);
            weighted.Add(delta * keep * w);
        }
        var sum = weighted.Aggregate((p, q) => p + q);
        var elected = torch.where(sum.ge(0.0), torch.ones_like(sum), -torch.ones_like(sum));
        var mixed = torch.zeros_like(sum);
        var divisor = torch.zeros_like(sum);
        for (int i = 0; i < models.Length; i++)
        {
            var agree = weighted[i].sign().eq(elected).to(x0.dtype);
            mixed += weighted[i] * agree;
            divisor += agree * models[i].Weight;
        }
        divisor = torch.where(divisor.eq(0.0), torch.ones_like(divisor), divisor);
        return x0 + (mixed / divisor).view(x0.shape);
    }

    /// <summary>mergekit's slerp on the flattened tensors: normalised dot, lerp above 0.9995, else the sine formula.</summary>
    private static torch.Tensor SlerpByHand(torch.Tensor v0, torch.Tensor v1, double t)
    {
        double n0 = v0.norm().item<double>(), n1 = v1.norm().item<double>();
        double dot = (v0.flatten() / (n0 > 1e-8 ? n0 : 1.0)).dot(v1.flatten() / (n1 > 1e-8 ? n1 : 1.0)).item<double>();
        if (Math.Abs(dot) > 0.9995)
            return v0 * (1 - t) + v1 * t;
        double theta = Math.Acos(dot);
        return v0 * (Math.Sin((1 - t) * theta) / Math.Sin(theta)) + v1 * (Math.Sin(t * theta) / Math.Sin(theta));
    }

    [Fact]
    public void Strict_refuses_an_unknown_model_type_that_otherwise_merges_with_a_warning()
    {
        using var dir = new TempDirectory();
        foreach (var (name, seed) in new[] { ("a", 1L), ("b", 2L) })
        {
            TinyArchitectureWriter.WriteRandom(dir.Combine(name), new TinyArchitectureSpec { ModelType = "llama", Layers = 2 }, seed);
            string path = dir.Combine(name, "config.json");
            var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            config["model_type"] = "mystery_lm";
            File.WriteAllText(path, config.ToJsonString());
        }
        File.WriteAllText(dir.Combine("linear.yml"), "models:\n  - model: ./a\n    parameters: {weight: 0.5}\n  - model: ./b\n    parameters: {weight: 0.5}\nmerge_method: linear\n");
        var run = CliRunner.Run(TimeSpan.FromMinutes(3), "merge", dir.Combine("linear.yml"), dir.Combine("out"), "--strict");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"evomerge: error: {dir.Combine("a", "config.json")}: model_type 'mystery_lm' is not a known architecture; "
            + "merging it as the standard model.layers.N. layout with the first model's 9 tensors per layer; refused by --strict", run.Stderr.Trim());
        Assert.False(File.Exists(dir.Combine("out", "config.json")));
    }

    [Fact]
    public void An_unusual_value_warns_and_merges_and_strict_refuses_it()
    {
        using var dir = new TempDirectory();
        foreach (var (name, seed) in new[] { ("base", 1L), ("a", 2L) })
            TinyArchitectureWriter.WriteRandom(dir.Combine(name), new TinyArchitectureSpec { ModelType = "llama", Layers = 2 }, seed);
        File.WriteAllText(dir.Combine("slerp.yml"), Slerp.Replace("t: 0.3", "t: 1.25", StringComparison.Ordinal));
        string problem = $"{dir.Combine("slerp.yml")}:7: parameters.t: 1.25 is outside [0, 1], the usual range of slerp's 't': "
            + "slerp extrapolates past the other model (t = 1), away from the base";
        var run = CliRunner.Run(TimeSpan.FromMinutes(3), "merge", dir.Combine("slerp.yml"), dir.Combine("out"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"evomerge: warning: {problem}; merged as mergekit does", run.Stderr.Split('\n'));
        var strict = CliRunner.Run(TimeSpan.FromMinutes(3), "merge", dir.Combine("slerp.yml"), dir.Combine("out2"), "--strict");
        Assert.Equal(1, strict.ExitCode);
        Assert.Equal($"evomerge: error: {problem}; refused by --strict", strict.Stderr.Trim());
    }
}
