using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.Tests.Tensors;

/// <summary>
/// The Gemma families' config fields: transformers' defaults (Gemma2Config, Gemma3TextConfig), the sliding-layer
/// patterns, <c>layer_types</c>, and one-line errors naming config.json and the field.
/// </summary>
public sealed class GemmaFamilyConfigTests
{
    private const string Sizes = "\"hidden_size\": 8, \"num_hidden_layers\": 7, \"num_attention_heads\": 2, \"intermediate_size\": 16, \"vocab_size\": 10";

    private static ModelConfig Config(string modelType, string extra = "") =>
        ModelConfig.FromJson((JsonObject)JsonNode.Parse($"{{\"model_type\": \"{modelType}\", {Sizes}{extra}}}")!, "m/config.json");

    private static GemmaFamilyConfig Read(string modelType, string extra = "") => GemmaFamilyConfig.Read(Config(modelType, extra), "m/config.json")!;

    [Fact]
    public void Gemma2_defaults_are_transformers_defaults()
    {
        var gemma2 = Read("gemma2");
        Assert.Equal("gelu_pytorch_tanh", gemma2.Activation);
        Assert.Equal(50.0, gemma2.AttentionSoftcap);
        Assert.Equal(30.0, gemma2.FinalSoftcap);
        Assert.Equal(1.0 / 16, gemma2.AttentionScale); // query_pre_attn_scalar 256
        Assert.Equal(4096, gemma2.SlidingWindow);
        Assert.Equal([true, false, true, false, true, false, true], gemma2.SlidingLayers);
        Assert.Null(gemma2.LocalRopeTheta);
        Assert.Equal(256, Config("gemma2").HeadDim);
        Assert.True(Config("gemma2").TieWordEmbeddings);
    }

    [Fact]
    public void Gemma3_defaults_slide_on_five_of_every_six_layers_with_a_local_rope_base()
    {
        var gemma3 = Read("gemma3_text");
        Assert.Equal([true, true, true, true, true, false, true], gemma3.SlidingLayers);
        Assert.Equal(10_000.0, gemma3.LocalRopeTheta);
        Assert.Null(gemma3.AttentionSoftcap);
        Assert.Null(gemma3.FinalSoftcap);
        Assert.Equal(1_000_000.0, Config("gemma3_text").RopeTheta);
        Assert.Equal([true, false, true, false, true, false, true], Read("gemma3_text", ", \"sliding_window_pattern\": 2").SlidingLayers);
    }

    [Fact]
    public void Layer_types_override_the_pattern_and_null_softcaps_switch_capping_off()
    {
        var types = string.Join(", ", new[] { "full", "sliding", "sliding", "full", "full", "full", "sliding" }.Select(t => $"\"{t}_attention\""));
        var config = Read("gemma2", $", \"layer_types\": [{types}], \"attn_logit_softcapping\": null, \"final_logit_softcapping\": null, \"query_pre_attn_scalar\": 64");
        Assert.Equal([false, true, true, false, false, false, true], config.SlidingLayers);
        Assert.Null(config.AttentionSoftcap);
        Assert.Null(config.FinalSoftcap);
        Assert.Equal(0.125, config.AttentionScale);
    }

    [Fact]
    public void Gemma_scales_attention_by_head_dim_and_has_no_sliding_layers()
    {
        var gemma = Read("gemma", ", \"head_dim\": 16");
        Assert.Equal(0.25, gemma.AttentionScale);
        Assert.All(gemma.SlidingLayers, sliding => Assert.False(sliding));
        Assert.Null(gemma.SlidingWindow);
        Assert.Null(GemmaFamilyConfig.Read(Config("llama"), "m/config.json"));
    }

    [Theory]
    [InlineData("gemma", ", \"hidden_activation\": \"relu\"", "field 'hidden_activation' 'relu' is not supported (supported: gelu_pytorch_tanh, gelu_new, gelu)")]
    [InlineData("gemma2", ", \"attn_logit_softcapping\": 0", "field 'attn_logit_softcapping' must be a positive number or null (got 0)")]
    [InlineData("gemma3_text", ", \"final_logit_softcapping\": -30", "field 'final_logit_softcapping' must be a positive number or null (got -30)")]
    [InlineData("gemma2", ", \"query_pre_attn_scalar\": 0", "field 'query_pre_attn_scalar' must be a positive number")]
    [InlineData("gemma2", ", \"sliding_window\": 0", "field 'sliding_window' must be a positive integer")]
    [InlineData("gemma3_text", ", \"sliding_window_pattern\": 0", "field 'sliding_window_pattern' must be a positive integer")]
    [InlineData("gemma3_text", ", \"rope_local_base_freq\": -1", "field 'rope_local_base_freq' must be a positive number")]
    [InlineData("gemma2", ", \"layer_types\": [\"full_attention\"]", "field 'layer_types' must be a list of 7 entries (one per layer)")]
    [InlineData("gemma3_text", ", \"layer_types\": [\"full_attention\", \"full_attention\", \"full_attention\", \"full_attention\", \"full_attention\", \"full_attention\", \"chunked_attention\"]",
        "field 'layer_types' entry 6 'chunked_attention' is not 'sliding_attention' or 'full_attention'")]
    public void Bad_fields_are_one_line_errors_naming_the_file_and_field(string modelType, string extra, string message)
    {
        var error = Assert.Throws<ModelConfigException>(() => Read(modelType, extra));
        Assert.Equal("m/config.json: " + message, error.Message);
    }

    [Fact]
    public void Describe_lists_the_fields_inspect_shows()
    {
        Assert.Equal(
            "hidden_activation gelu_pytorch_tanh; query_pre_attn_scalar 256; sliding_window 4096 on 4 of 7 layers (0 2 4 6); attn_logit_softcapping 50; final_logit_softcapping 30",
            Read("gemma2").Describe());
        Assert.Equal(
            "hidden_activation gelu_pytorch_tanh; query_pre_attn_scalar 256; sliding_window 4096 on 6 of 7 layers (0 1 2 3 4 6); rope_local_base_freq 10000; no attention softcap; no final softcap",
            Read("gemma3_text").Describe());
    }
}
