using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.Tests.Tensors;

/// <summary>
/// Config keys, optional tensors, refusals and name classification of the architecture data, with expected values
/// worked out by hand from the HuggingFace config and modeling code of each family.
/// </summary>
public class ArchitectureLayoutTests
{
    private static DecoderLayout Layout(string json) =>
        DecoderLayout.ForMerging(ModelConfig.FromJson(JsonNode.Parse(json)!.AsObject(), "config.json"), "config.json", () => []);

    private const string Gpt2 = """{"model_type": "gpt2", "n_layer": 2, "n_embd": 8, "n_head": 2, "n_inner": null, "n_positions": 16, "vocab_size": 10}""";

    [Fact]
    public void Gpt2_reads_its_own_keys_ties_by_default_and_sizes_the_mlp_four_times_n_embd_when_n_inner_is_null()
    {
        var layout = Layout(Gpt2);
        var c = layout.Config;
        Assert.Equal((2, 8, 2, 32, 16, true, "n_layer"), (c.NumHiddenLayers, c.HiddenSize, c.NumAttentionHeads, c.IntermediateSize, c.MaxPositionEmbeddings, c.TieWordEmbeddings, c.LayerCountKey));
        Assert.Equal([8L, 32], layout.ExpectedShape("transformer.h.1.mlp.c_fc.weight")!);
        Assert.Equal([8L, 24], layout.ExpectedShape("transformer.h.0.attn.c_attn.weight")!);
        Assert.Equal([16L, 8], layout.ExpectedShape("transformer.wpe.weight")!);
        Assert.Equal(["transformer.ln_f.weight", "transformer.ln_f.bias"], layout.HeadNames);
        Assert.Equal(2 + 2 * 12 + 2, layout.ExpectedNames().Count());
    }

    [Fact]
    public void A_missing_family_key_names_the_file_and_the_field()
    {
        var error = Assert.Throws<ModelConfigException>(() => Layout("""{"model_type": "gpt2", "n_layer": 2, "n_head": 2, "vocab_size": 10}"""));
        Assert.Equal("config.json: field 'n_embd' is missing", error.Message);
    }

    [Fact]
    public void Gpt2_names_are_classified_under_its_own_prefix()
    {
        var layout = Layout(Gpt2);
        Assert.Equal(new TensorRole(TensorGroup.Layer, 11, "attn.c_attn.weight") { IsEmbedding = false }, layout.RoleOf("transformer.h.11.attn.c_attn.weight"));
        var wte = layout.RoleOf("transformer.wte.weight");
        Assert.Equal((TensorGroup.Embedding, true), (wte.Group, wte.IsEmbedding));
        var wpe = layout.RoleOf("transformer.wpe.weight");
        Assert.Equal((TensorGroup.Embedding, false), (wpe.Group, wpe.IsEmbedding));
        Assert.Equal(TensorGroup.Head, layout.RoleOf("transformer.ln_f.bias").Group);
        Assert.Equal(TensorGroup.Head, layout.RoleOf("transformer.hx.1.weight").Group);
    }

    [Fact]
    public void Multimodal_gemma3_is_inferred_from_its_tensor_names_with_a_module_per_layer_stack()
    {
        // transformers' Gemma3ForConditionalGeneration save (tied embeddings: no lm_head); sizes live in text_config.
        string[] names =
        [
            "model.language_model.embed_tokens.weight", "model.language_model.norm.weight",
            .. Enumerable.Range(0, 2).SelectMany(i => new[] { $"model.language_model.layers.{i}.self_attn.q_proj.weight", $"model.language_model.layers.{i}.mlp.up_proj.weight" }),
            .. Enumerable.Range(0, 3).Select(i => $"model.vision_tower.vision_model.encoder.layers.{i}.mlp.fc1.weight"),
            "model.vision_tower.vision_model.post_layernorm.weight", "model.multi_modal_projector.mm_input_projection_weight",
        ];
        var config = ModelConfig.FromJson(JsonNode.Parse("""{"model_type": "gemma3", "text_config": {"hidden_size": 8, "num_hidden_layers": 2}}""")!.AsObject(), "config.json");
        var layout = DecoderLayout.ForMerging(config, "config.json", () => names);
        Assert.Equal(
            [("model.language_model.layers", "model.language_model.layers.{i}.", 2, 2), ("model.vision_tower.vision_model.encoder.layers", "model.vision_tower.vision_model.encoder.layers.{i}.", 3, 1)],
            layout.Modules.Select(m => (m.Name, m.LayerPrefix, m.LayerCount, m.LayerTemplate.Count)));
        Assert.Equal(["model.language_model.embed_tokens.weight"], layout.EmbeddingNames);
        Assert.Equal(["model.language_model.norm.weight", "model.vision_tower.vision_model.post_layernorm.weight", "model.multi_modal_projector.mm_input_projection_weight"], layout.HeadNames);
        Assert.Equal(names.Order(StringComparer.Ordinal), layout.ExpectedNames().Order(StringComparer.Ordinal));
        Assert.Equal(new TensorRole(TensorGroup.Layer, 2, "mlp.fc1.weight") { IsEmbedding = false, Module = 1 }, layout.RoleOf("model.vision_tower.vision_model.encoder.layers.2.mlp.fc1.weight"));
        Assert.True(layout.RoleOf("model.language_model.embed_tokens.weight").IsEmbedding);
        Assert.Equal(2, config.NumHiddenLayers);
        Assert.Contains("model_type 'gemma3' is not a known architecture; merging it with the layout inferred from its tensor names", layout.Warning);
        Assert.Contains("model.vision_tower.vision_model.encoder.layers.N. (3 layers of 1 tensors)", layout.Warning);
    }

    private const string Qwen2Moe = """
        {"model_type": "qwen2_moe", "num_hidden_layers": 1, "hidden_size": 8, "num_attention_heads": 2, "num_key_value_heads": 1,
         "intermediate_size": 12, "vocab_size": 10, "num_experts": 2, "moe_intermediate_size": 4, "shared_expert_intermediate_size": 6 %EXTRA%}
        """;

    [Fact]
    public void Qwen2_moe_expands_experts()
    {
        var layout = Layout(Qwen2Moe.Replace("%EXTRA%", ""));
        Assert.Equal(2, layout.ExpertCount);
        // 2 norms, q/k/v/o, 3 biases, router, 2 experts x 3, shared expert x 3, shared gate
        Assert.Equal(2 + 4 + 3 + 1 + 6 + 3 + 1, layout.LayerTemplate.Count);
        Assert.Equal([4L, 8], layout.ExpectedShape("model.layers.0.mlp.experts.1.up_proj.weight")!);
        Assert.Equal([1L, 8], layout.ExpectedShape("model.layers.0.mlp.shared_expert_gate.weight")!);
        var missing = Assert.Throws<ModelConfigException>(() => Layout(Qwen2Moe.Replace("%EXTRA%", "").Replace("\"num_experts\": 2,", "")));
        Assert.Equal("num_experts", missing.Field);
    }

    [Fact]
    public void Config_flags_add_or_drop_optional_tensors()
    {
        string stablelm = """{"model_type": "stablelm", "num_hidden_layers": 1, "hidden_size": 8, "num_attention_heads": 2, "intermediate_size": 12, "vocab_size": 10 %EXTRA%}""";
        Assert.Contains("model.layers.{i}.post_attention_layernorm.bias", Layout(stablelm.Replace("%EXTRA%", "")).LayerTemplate);
        Assert.DoesNotContain("model.layers.{i}.post_attention_layernorm.weight", Layout(stablelm.Replace("%EXTRA%", ", \"use_parallel_residual\": true")).LayerTemplate);
        // StableLmLayerNormPerHead: one bias-free LayerNorm(head_dim) per query head (q) and per key/value head (k).
        var qk = Layout(stablelm.Replace("%EXTRA%", ", \"qk_layernorm\": true, \"num_key_value_heads\": 1"));
        Assert.Equal(["model.layers.{i}.self_attn.q_layernorm.norms.0.weight", "model.layers.{i}.self_attn.q_layernorm.norms.1.weight",
            "model.layers.{i}.self_attn.k_layernorm.norms.0.weight"], qk.LayerTemplate.Where(n => n.Contains("layernorm.norms", StringComparison.Ordinal)));
        Assert.Equal([4L], qk.ExpectedShape("model.layers.0.self_attn.k_layernorm.norms.0.weight")!);
        // LlamaAttention's o_proj and LlamaMLP's projections take bias=attention_bias / mlp_bias; Qwen2's o_proj never has one.
        string llama = """{"model_type": "%TYPE%", "num_hidden_layers": 1, "hidden_size": 8, "num_attention_heads": 2, "intermediate_size": 12, "vocab_size": 10, "attention_bias": true, "mlp_bias": true}""";
        var biased = Layout(llama.Replace("%TYPE%", "llama")).LayerTemplate;
        Assert.Contains("model.layers.{i}.self_attn.o_proj.bias", biased);
        Assert.Contains("model.layers.{i}.mlp.down_proj.bias", biased);
        Assert.Contains("model.layers.{i}.self_attn.o_proj.bias", Layout(llama.Replace("%TYPE%", "qwen3")).LayerTemplate);
        Assert.DoesNotContain("model.layers.{i}.mlp.down_proj.bias", Layout(llama.Replace("%TYPE%", "qwen3")).LayerTemplate);
        Assert.DoesNotContain("model.layers.{i}.self_attn.o_proj.bias", Layout(llama.Replace("%TYPE%", "qwen2")).LayerTemplate);
        string neox = """{"model_type": "gpt_neox", "num_hidden_layers": 1, "hidden_size": 8, "num_attention_heads": 2, "intermediate_size": 12, "vocab_size": 10 %EXTRA%}""";
        Assert.Contains("gpt_neox.layers.{i}.attention.dense.bias", Layout(neox.Replace("%EXTRA%", "")).LayerTemplate);
        Assert.DoesNotContain("gpt_neox.layers.{i}.attention.dense.bias", Layout(neox.Replace("%EXTRA%", ", \"attention_bias\": false")).LayerTemplate);
        Assert.Equal(["gpt_neox.final_layer_norm.weight", "gpt_neox.final_layer_norm.bias"],
            Layout(neox.Replace("%EXTRA%", ", \"tie_word_embeddings\": true")).HeadNames);
    }

    // GPT2Model.save_pretrained writes h.N.…, wte, wpe and ln_f without "transformer." and no lm_head; transformers
    // loads such a checkpoint into GPT2LMHeadModel (its base_model_prefix is "transformer").
    [Fact]
    public void A_gpt2_checkpoint_without_the_transformer_prefix_is_read_under_its_own_names()
    {
        var config = ModelConfig.FromJson(new TinyArchitectureSpec { ModelType = "gpt2", Layers = 1 }.ToConfigJson(), "m/config.json");
        string[] bare = ["wte.weight", "wpe.weight", "h.0.ln_1.weight", "h.0.attn.c_attn.weight", "ln_f.weight", "ln_f.bias"];
        var layout = DecoderLayout.ForMerging(config, "m/config.json", () => bare);
        Assert.Equal("h.{i}.", layout.LayerPrefix);
        Assert.Equal(["wte.weight", "wpe.weight"], layout.EmbeddingNames);
        Assert.Equal(["ln_f.weight", "ln_f.bias"], layout.HeadNames);
        Assert.Contains("h.{i}.attn.c_attn.weight", layout.LayerTemplate);
        Assert.True(layout.RoleOf("wte.weight").IsEmbedding);
        Assert.False(layout.RoleOf("wpe.weight").IsEmbedding);
        var prefixed = DecoderLayout.ForMerging(config, "m/config.json", () => ["transformer.wte.weight", "transformer.h.0.ln_1.weight"]);
        Assert.Equal("transformer.h.{i}.", prefixed.LayerPrefix);
    }

    [Fact]
    public void The_decoder_layout_refuses_families_that_only_merge()
    {
        var config = ModelConfig.FromJson(new TinyArchitectureSpec { ModelType = "granite" }.ToConfigJson(), "m/config.json");
        var error = Assert.Throws<ModelConfigException>(() => DecoderLayout.For(config, "m/config.json"));
        Assert.Equal("m/config.json: model_type granite can be merged and inspected but not evaluated yet (evaluated: llama, mistral, qwen2, qwen3, gemma, gemma2, gemma3_text, phi3, mixtral, gemma3)", error.Message);
    }

    [Fact]
    public void Llama_family_layers_keep_the_decoder_names_in_order()
    {
        var qwen2 = DecoderLayout.For(ModelConfig.FromJson(new TinyDecoderSpec { ModelType = "qwen2" }.ToConfigJson(), "c"), "c");
        Assert.Equal(
            ["input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.q_proj.bias", "self_attn.k_proj.weight", "self_attn.k_proj.bias",
             "self_attn.v_proj.weight", "self_attn.v_proj.bias", "self_attn.o_proj.weight", "post_attention_layernorm.weight",
             "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"],
            qwen2.LayerTemplate.Select(t => t["model.layers.{i}.".Length..]));
        var qwen3 = DecoderLayout.For(ModelConfig.FromJson(new TinyDecoderSpec { ModelType = "qwen3", TieWordEmbeddings = true }.ToConfigJson(), "c"), "c");
        Assert.Equal(["self_attn.v_proj.weight", "self_attn.q_norm.weight", "self_attn.k_norm.weight", "self_attn.o_proj.weight"],
            qwen3.LayerTemplate.Select(t => t["model.layers.{i}.".Length..]).Skip(3).Take(4));
        Assert.Equal(["model.norm.weight"], qwen3.HeadNames);
    }
}
