using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.Tests.Tensors;

/// <summary>
/// Layouts inferred from tensor names whose layers or models hold different names: the union over layers and models,
/// with the names some layer or model lacks optional, as mergekit's auto.py builds them (templates: the union of every
/// ".N." name with the index replaced; optional: not present in every model at every layer). Expected sets are
/// worked out by hand from the names below.
/// </summary>
public class InferredUnionLayoutTests
{
    private static ModelConfig Config(string json) => ModelConfig.FromJson(JsonNode.Parse(json)!.AsObject(), "m/config.json");

    [Fact]
    public void Layers_with_different_names_give_the_union_template_with_the_uneven_names_optional()
    {
        string[] names = ["embed.weight", "blocks.0.a.weight", "blocks.1.a.weight", "blocks.1.b.weight", "blocks.2.a.weight", "out.weight"];
        var layout = DecoderLayout.ForMerging(Config("""{"model_type": "odd"}"""), "m/config.json", () => names);
        var module = Assert.Single(layout.Modules);
        Assert.Equal(3, module.LayerCount);
        Assert.Equal(["blocks.{i}.a.weight", "blocks.{i}.b.weight"], module.LayerTemplate);
        Assert.Equal(["blocks.{i}.b.weight"], module.OptionalTemplates);
        Assert.True(layout.IsOptional("blocks.1.b.weight"));
        Assert.False(layout.IsOptional("blocks.1.a.weight"));
        Assert.True(layout.Inferred);
        Assert.Equal(["embed.weight", "blocks.0.a.weight", "blocks.1.a.weight", "blocks.2.a.weight", "out.weight"], layout.ExpectedNames());
    }

    [Fact]
    public void Models_with_different_names_give_the_union_with_what_some_model_lacks_optional()
    {
        IReadOnlyList<string> a = ["embed.weight", "blocks.0.a.weight", "blocks.1.a.weight", "blocks.0.c.weight", "blocks.1.c.weight", "out.weight", "temperature"];
        IReadOnlyList<string> b = ["embed.weight", "blocks.0.a.weight", "blocks.1.a.weight", "out.weight"];
        var layout = DecoderLayout.InferredFrom(Config("""{"model_type": "odd"}"""), "m/config.json", [a, b]);
        var module = Assert.Single(layout.Modules);
        Assert.Equal(2, module.LayerCount);
        Assert.Equal(["blocks.{i}.a.weight", "blocks.{i}.c.weight"], module.LayerTemplate);
        Assert.Equal(["blocks.{i}.c.weight"], module.OptionalTemplates);
        Assert.True(layout.IsOptional("temperature"));
        Assert.False(layout.IsOptional("out.weight"));
        Assert.Equal(["out.weight", "temperature"], layout.HeadNames);
        // The one model's own layout has c in every layer: nothing optional there.
        var own = DecoderLayout.ForMerging(Config("""{"model_type": "odd"}"""), "m/config.json", () => a);
        Assert.Empty(own.Modules[0].OptionalTemplates);
    }

    private const string Qwen2Moe = """
        {"model_type": "qwen2_moe", "num_hidden_layers": 4, "hidden_size": 8, "num_attention_heads": 2, "num_key_value_heads": 1,
         "intermediate_size": 12, "vocab_size": 10, "num_experts": 2, "moe_intermediate_size": 4, "shared_expert_intermediate_size": 6 %EXTRA%}
        """;

    /// <summary>
    /// transformers' Qwen2MoeDecoderLayer: layer i is sparse when i is not in mlp_only_layers and (i + 1) %
    /// decoder_sparse_step == 0; with step 2 and mlp_only_layers [3] only layer 1 is, layers 0, 2 and 3 are dense.
    /// </summary>
    private static string[] MixedQwen2MoeNames()
    {
        var names = new List<string> { "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight" };
        for (int i = 0; i < 4; i++)
        {
            string p = $"model.layers.{i}.";
            names.AddRange([p + "input_layernorm.weight", p + "self_attn.q_proj.weight", p + "self_attn.q_proj.bias", p + "post_attention_layernorm.weight"]);
            if (i == 1) names.AddRange([p + "mlp.gate.weight", p + "mlp.experts.0.up_proj.weight", p + "mlp.experts.1.up_proj.weight", p + "mlp.shared_expert_gate.weight"]);
            else names.AddRange([p + "mlp.up_proj.weight", p + "mlp.down_proj.weight"]);
        }
        return [.. names];
    }

    [Theory]
    [InlineData(", \"decoder_sparse_step\": 2", "decoder_sparse_step 2")]
    [InlineData(", \"mlp_only_layers\": [3]", "mlp_only_layers [3]")]
    public void Qwen2_moe_with_mixed_dense_and_expert_layers_merges_with_the_inferred_layout(string extra, string reason)
    {
        var layout = DecoderLayout.ForMerging(Config(Qwen2Moe.Replace("%EXTRA%", extra)), "m/config.json", MixedQwen2MoeNames);
        Assert.True(layout.Inferred);
        var module = Assert.Single(layout.Modules);
        Assert.Equal(("default", "model.layers.{i}.", 4), (module.Name, module.LayerPrefix, module.LayerCount));
        // 4 in every layer, 4 expert-block names (layer 1 only) and 2 dense MLP names (layers 0, 2, 3).
        Assert.Equal(10, module.LayerTemplate.Count);
        Assert.Equal(["model.layers.{i}.mlp.down_proj.weight", "model.layers.{i}.mlp.experts.0.up_proj.weight", "model.layers.{i}.mlp.experts.1.up_proj.weight",
            "model.layers.{i}.mlp.gate.weight", "model.layers.{i}.mlp.shared_expert_gate.weight", "model.layers.{i}.mlp.up_proj.weight"], module.OptionalTemplates.Order(StringComparer.Ordinal));
        Assert.Equal(["model.embed_tokens.weight"], layout.EmbeddingNames);
        Assert.True(layout.RoleOf("lm_head.weight").IsEmbedding);
        Assert.Contains($"m/config.json: qwen2_moe with {reason} mixes dense and expert layers; merging it with the layout inferred from its tensor names, as mergekit does", layout.Warning);
        // The catalog's data still describes a qwen2_moe whose layers are all sparse.
        Assert.False(DecoderLayout.ForMerging(Config(Qwen2Moe.Replace("%EXTRA%", ", \"decoder_sparse_step\": 1, \"mlp_only_layers\": []")), "m/config.json", MixedQwen2MoeNames).Inferred);
    }
}
