using System.Text.Json.Nodes;
using TorchSharp;

namespace EvoMerge.Tensors;

/// <summary>
/// Sizes of a small model of any <see cref="ArchitectureCatalog"/> family, for <see cref="TinyArchitectureWriter"/>:
/// <see cref="KeyValueHeads"/> is ignored by families without grouped-query attention (GPT-2, GPT-NeoX),
/// <see cref="Experts"/> and <see cref="ExpertIntermediateSize"/> are read by the MoE families only,
/// <see cref="TieWordEmbeddings"/> null keeps the family's default, and <see cref="Extra"/> fields (flags such as
/// <c>attention_bias</c>) are written into config.json last.
/// </summary>
public sealed record TinyArchitectureSpec
{
    public required string ModelType { get; init; }
    public int Layers { get; init; } = 2;
    public int HiddenSize { get; init; } = 32;
    public int IntermediateSize { get; init; } = 64;
    public int Heads { get; init; } = 4;
    public int KeyValueHeads { get; init; } = 2;
    public int? HeadDim { get; init; }
    public int VocabSize { get; init; } = 64;
    public int MaxPositions { get; init; } = 128;
    public int Experts { get; init; } = 4;
    public int ExpertIntermediateSize { get; init; } = 16;
    public bool? TieWordEmbeddings { get; init; }
    public JsonObject? Extra { get; init; }
    public torch.ScalarType DType { get; init; } = torch.ScalarType.Float32;

    /// <summary>The config.json of this spec, with the family's own field names.</summary>
    public JsonObject ToConfigJson()
    {
        var family = ArchitectureCatalog.Find(ModelType) ?? throw new ArgumentException($"model_type '{ModelType}' is not in the architecture catalog");
        var keys = family.Keys;
        bool groupedQuery = ModelType is not ("gpt2" or "gpt_neox");
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray(family.Architectures[0]),
            ["model_type"] = ModelType,
            [keys.Hidden] = HiddenSize,
            [keys.Intermediate] = IntermediateSize,
            [keys.Layers] = Layers,
            [keys.Heads] = Heads,
            ["vocab_size"] = VocabSize,
            [keys.Positions] = MaxPositions,
            ["torch_dtype"] = DTypes.ToTorchName(DType),
            ["bos_token_id"] = 1,
            ["eos_token_id"] = 2,
        };
        if (groupedQuery) config["num_key_value_heads"] = KeyValueHeads;
        if (HeadDim is { } headDim || ModelType is "qwen3" or "gemma" or "gemma2" or "gemma3_text")
            config["head_dim"] = HeadDim ?? HiddenSize / Heads;
        if (TieWordEmbeddings is { } tied) config["tie_word_embeddings"] = tied;
        foreach (var (key, value) in FamilyFields()) config[key] = value?.DeepClone();
        foreach (var (key, value) in Extra ?? []) config[key] = value?.DeepClone();
        return config;
    }

    /// <summary>Fields real checkpoints of the family carry beside the sizes (norm eps, expert counts, flags).</summary>
    private JsonObject FamilyFields() => ModelType switch
    {
        "gpt2" => new() { ["n_ctx"] = MaxPositions, ["layer_norm_epsilon"] = 1e-5, ["activation_function"] = "gelu_new" },
        "gpt_neox" => new() { ["layer_norm_eps"] = 1e-5, ["use_parallel_residual"] = true, ["rotary_pct"] = 0.25, ["hidden_act"] = "gelu" },
        "stablelm" => new() { ["layer_norm_eps"] = 1e-5, ["use_qkv_bias"] = false, ["qk_layernorm"] = false, ["use_parallel_residual"] = false, ["partial_rotary_factor"] = 0.25 },
        "mixtral" => new() { ["rms_norm_eps"] = 1e-5, ["num_local_experts"] = Experts, ["num_experts_per_tok"] = 2 },
        "qwen2_moe" => new()
        {
            ["rms_norm_eps"] = 1e-6, ["num_experts"] = Experts, ["num_experts_per_tok"] = 2, ["moe_intermediate_size"] = ExpertIntermediateSize,
            ["shared_expert_intermediate_size"] = IntermediateSize, ["decoder_sparse_step"] = 1, ["mlp_only_layers"] = new JsonArray(),
        },
        "granite" => new() { ["rms_norm_eps"] = 1e-5, ["embedding_multiplier"] = 12.0, ["residual_multiplier"] = 0.22, ["attention_multiplier"] = 0.0078125, ["logits_scaling"] = 8.0 },
        "gemma" or "gemma2" or "gemma3_text" => new() { ["rms_norm_eps"] = 1e-6, ["hidden_activation"] = "gelu_pytorch_tanh" },
        _ => new() { ["rms_norm_eps"] = 1e-6, ["hidden_act"] = "silu" },
    };
}
