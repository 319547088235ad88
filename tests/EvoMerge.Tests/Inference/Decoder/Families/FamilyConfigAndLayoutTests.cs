using System.Text.Json.Nodes;
using EvoMerge.Inference;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Inference.Decoder.Families;

/// <summary>
/// Phi-3 and Mixtral config checks (one-line errors naming config.json and the field), partial rotary on a hand
/// example, the linear-input names the search's statistics hook reports, and experts grouped with their layer.
/// </summary>
public sealed class FamilyConfigAndLayoutTests
{
    [Theory]
    [InlineData("mixtral", "num_experts_per_tok", "5", "from 1 to num_local_experts (4)")]
    [InlineData("phi3", "partial_rotary_factor", "0.375", "must be even")]
    [InlineData("phi3", "partial_rotary_factor", "1.5", "(0, 1]")]
    [InlineData("phi3", "rope_scaling", """{"type": "linear", "factor": 2.0}""", "not supported for phi3")]
    [InlineData("phi3", "rope_scaling", """{"type": "longrope", "short_factor": [1.0], "long_factor": [1.0, 2.0]}""", "rope_scaling.short_factor")]
    [InlineData("phi3", "rope_scaling", """{"type": "su", "short_factor": [1, 1, 1, 1], "long_factor": [1, -2, 1, 1]}""", "rope_scaling.long_factor")]
    [InlineData("phi3", "sliding_window", "0", "positive integer")]
    public void A_bad_family_field_names_config_json_and_the_field(string modelType, string field, string json, string problem)
    {
        var spec = modelType == "phi3"
            ? FamilyTestModels.Spec("phi3-partial") with { Extra = new JsonObject { [field] = JsonNode.Parse(json) } }
            : FamilyTestModels.Spec("mixtral") with { Extra = new JsonObject { [field] = JsonNode.Parse(json) } };
        using var directory = new FamilyModelDirectory(spec);
        string configPath = Path.Combine(directory.Path, "config.json");
        var error = Assert.Throws<ModelConfigException>(() => directory.Load());
        Assert.Contains(configPath, error.Message);
        Assert.Contains(field, error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    /// <summary>
    /// Head [1, 2, 3, 4] at position 1 rotated over its first 2 dimensions (θ^0 = 1, angle 1 rad): (1, 2) → (cos 1 − 2 sin 1,
    /// 2 cos 1 + sin 1) = (−1.14264, 1.92208); 3 and 4 pass through.
    /// </summary>
    [Fact]
    public void Partial_rotary_rotates_only_the_first_part_of_a_head()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 1, 2, 3, 4 }).view(1, 1, 1, 4);
        var cos = torch.tensor(new float[] { MathF.Cos(1), MathF.Cos(1) }).view(1, 1, 1, 2);
        var sin = torch.tensor(new float[] { MathF.Sin(1), MathF.Sin(1) }).view(1, 1, 1, 2);
        float[] rotated = RotaryEmbedding.Apply(x, cos, sin).data<float>().ToArray();
        Assert.Equal(-1.142639, rotated[0], 5);
        Assert.Equal(1.922076, rotated[1], 5);
        Assert.Equal(3f, rotated[2]);
        Assert.Equal(4f, rotated[3]);
    }

    /// <summary>
    /// longrope with original 8, max 32: attention factor √(1 + ln 4 / ln 8) = √(5/3) = 1.290994; at position 1 the
    /// first frequency is 1/short_factor[0] = 1 for 8 tokens and 1/long_factor[0] = 1/3 for 9.
    /// </summary>
    [Fact]
    public void Longrope_picks_short_or_long_factors_by_each_rows_length_and_scales_by_the_attention_factor()
    {
        var config = ModelConfig.FromJson(FamilyTestModels.Spec("phi3-longrope").ToConfigJson(), "c/config.json");
        var rotary = RotaryEmbedding.FromConfig(config, "c/config.json");
        Assert.Equal("longrope", rotary.RopeType);
        Assert.Equal(8, rotary.TableSwitchLength);
        using var scope = torch.NewDisposeScope();
        var positions = torch.stack([torch.arange(8L), torch.arange(1L, 9L)]);
        var (cos, sin) = rotary.CosSin(positions, torch.ScalarType.Float64);
        Assert.Equal([2L, 1, 8, 4], cos.shape);
        double factor = Math.Sqrt(1 + Math.Log(4) / Math.Log(8));
        Assert.Equal(Math.Cos(1.0) * factor, cos[0, 0, 1, 0].item<double>(), 5);
        Assert.Equal(Math.Sin(1.0 / 3.0) * factor, sin[1, 0, 0, 0].item<double>(), 5);
    }

    [Fact]
    public void Omitted_fields_take_the_config_classes_defaults()
    {
        var mixtral = ModelConfig.FromJson(FamilyTestModels.Spec("mixtral").ToConfigJson(), "m");
        Assert.Equal(1e6, mixtral.RopeTheta);
        var phi3 = FamilyTestModels.Spec("phi3-partial").ToConfigJson();
        phi3.Remove("rms_norm_eps");
        phi3.Remove("max_position_embeddings");
        var config = ModelConfig.FromJson(phi3, "p");
        Assert.Equal(1e-5, config.RmsNormEps);
        Assert.Equal(4096, config.MaxPositionEmbeddings);
    }

    [Theory]
    [InlineData("phi3-partial")]
    [InlineData("mixtral")]
    public void The_statistics_hook_names_the_models_own_linear_weights(string model)
    {
        using var directory = FamilyTestModels.Create(model);
        using var decoder = directory.Load();
        using var moments = LinearInputMoments.Collect(decoder, [DecoderTestModels.Tokens(10, 64, 1), DecoderTestModels.Tokens(7, 64, 2)]);
        Assert.All(moments.Names, name => Assert.True(decoder.Parameters.ContainsKey(name), $"{name} is not a tensor of the model"));
        if (model == "phi3-partial")
        {
            Assert.Equal(12, moments.Names.Count);
            Assert.Contains("model.layers.2.self_attn.qkv_proj.weight", moments.Names);
            Assert.Contains("model.layers.2.mlp.gate_up_proj.weight", moments.Names);
            return;
        }
        Assert.Contains("model.layers.0.block_sparse_moe.gate.weight", moments.Names);
        Assert.Contains("model.layers.0.self_attn.q_proj.weight", moments.Names);
        // 17 tokens over 4 experts, 2 each: some expert of layer 0 saw tokens; its w1 and w3 share a moment.
        var w1 = moments.Names.First(n => n.StartsWith("model.layers.0.block_sparse_moe.experts.", StringComparison.Ordinal) && n.EndsWith(".w1.weight", StringComparison.Ordinal));
        Assert.Same(moments.Of(w1), moments.Of(w1.Replace(".w1.", ".w3.", StringComparison.Ordinal)));
        Assert.NotNull(moments.Of(w1.Replace(".w1.", ".w2.", StringComparison.Ordinal)));
    }

    [Fact]
    public void Experts_and_the_router_belong_to_their_layer()
    {
        var config = ModelConfig.FromJson(FamilyTestModels.Spec("mixtral").ToConfigJson(), "m/config.json");
        var layout = DecoderLayout.For(config, "m/config.json");
        var role = layout.RoleOf("model.layers.2.block_sparse_moe.experts.3.w2.weight");
        Assert.Equal(TensorGroup.Layer, role.Group);
        Assert.Equal(2, role.Layer);
        Assert.Equal("block_sparse_moe.experts.3.w2.weight", role.LocalName);
        var router = layout.RoleOf("model.layers.1.block_sparse_moe.gate.weight");
        Assert.Equal((TensorGroup.Layer, 1), (router.Group, router.Layer));
        // The search's materializer classifies output names with the Llama-style rule; experts land in their layer there too.
        Assert.Equal(new TensorRole(TensorGroup.Layer, 2, "block_sparse_moe.experts.3.w2.weight"), DecoderLayout.Classify("model.layers.2.block_sparse_moe.experts.3.w2.weight"));
        Assert.All(layout.ExpectedNames().Where(n => n.Contains("block_sparse_moe", StringComparison.Ordinal)),
            n => Assert.Equal(TensorGroup.Layer, layout.RoleOf(n).Group));
    }

    [Fact]
    public void Inspect_shows_the_family_fields_in_effect()
    {
        using var directory = FamilyTestModels.Create("phi3-longrope");
        using (var model = ModelDirectory.Open(directory.Path))
        {
            string text = ModelSummary.Of(model).ToText();
            Assert.Contains("family config  partial_rotary_factor 0.5, rope_scaling \"longrope\", original_max_position_embeddings 8, max_position_embeddings 32", text);
            Assert.Contains("sliding_window null (default)", text);
            Assert.DoesNotContain("merge and inspect only", text);
        }
        using var mixtral = FamilyTestModels.Create("mixtral-sliding");
        using var moe = ModelDirectory.Open(mixtral.Path);
        Assert.Contains("family config  num_local_experts 3, num_experts_per_tok 1, rope_theta 1000000, sliding_window 4", ModelSummary.Of(moe).ToText());
    }
}
