using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>Named tiny decoder specs covering every supported model type and rope scaling.</summary>
internal static class DecoderTestModels
{
    public static readonly IReadOnlyList<string> Names =
    [
        "llama-gqa", "mistral", "qwen2-bias", "qwen3-qk-norm-head-dim", "llama-tied", "qwen3-tied",
        "llama-rope-linear", "llama-rope-dynamic", "llama-rope-llama3", "llama-bf16", "mistral-sliding-window",
        "gemma-head-dim", "gemma2-softcap-window", "gemma3-local-rope",
    ];

    /// <summary>Writes the named model (spec plus any config.json fields the spec cannot express).</summary>
    public static TinyModelDirectory Create(string name) => name switch
    {
        "mistral-sliding-window" => new TinyModelDirectory(Spec(name), editConfig: config => config["sliding_window"] = 4),
        _ => new TinyModelDirectory(Spec(name)),
    };

    public static TinyDecoderSpec Spec(string name) => name switch
    {
        "llama-gqa" => new TinyDecoderSpec { ModelType = "llama", Heads = 4, KeyValueHeads = 2 },
        "mistral" => new TinyDecoderSpec { ModelType = "mistral", Heads = 4, KeyValueHeads = 1, RopeTheta = 1_000_000 },
        "mistral-sliding-window" => new TinyDecoderSpec { ModelType = "mistral", Heads = 4, KeyValueHeads = 2 },
        "qwen2-bias" => new TinyDecoderSpec { ModelType = "qwen2", Heads = 4, KeyValueHeads = 2 },
        "qwen3-qk-norm-head-dim" => new TinyDecoderSpec { ModelType = "qwen3", Heads = 4, KeyValueHeads = 2, HeadDim = 16 },
        "llama-tied" => new TinyDecoderSpec { ModelType = "llama", TieWordEmbeddings = true },
        "qwen3-tied" => new TinyDecoderSpec { ModelType = "qwen3", TieWordEmbeddings = true, HeadDim = 12 },
        "llama-rope-linear" => new TinyDecoderSpec { RopeScaling = new JsonObject { ["type"] = "linear", ["factor"] = 4.0 } },
        "llama-rope-dynamic" => new TinyDecoderSpec
        {
            MaxPositionEmbeddings = 8,
            RopeScaling = new JsonObject { ["rope_type"] = "dynamic", ["factor"] = 2.0 },
        },
        "llama-rope-llama3" => new TinyDecoderSpec
        {
            RopeScaling = new JsonObject
            {
                ["rope_type"] = "llama3", ["factor"] = 8.0, ["low_freq_factor"] = 1.0, ["high_freq_factor"] = 4.0,
                ["original_max_position_embeddings"] = 64,
            },
        },
        "llama-bf16" => new TinyDecoderSpec { DType = torch.ScalarType.BFloat16 },
        // head_dim 16 is not hidden / heads (8); one kv head.
        "gemma-head-dim" => new TinyDecoderSpec { ModelType = "gemma", Heads = 4, KeyValueHeads = 1, HeadDim = 16, TieWordEmbeddings = true },
        // Both soft-caps low enough to bite, query_pre_attn_scalar ≠ head_dim, a 4-token window on layers 0 and 2.
        "gemma2-softcap-window" => new TinyDecoderSpec
        {
            ModelType = "gemma2", Layers = 3, Heads = 4, KeyValueHeads = 2, HeadDim = 12, TieWordEmbeddings = true,
            Extra = new JsonObject
            {
                ["query_pre_attn_scalar"] = 20, ["attn_logit_softcapping"] = 4.0, ["final_logit_softcapping"] = 2.5, ["sliding_window"] = 4,
            },
        },
        // Sliding layers 0 and 2 (pattern 2) use rope_local_base_freq 100; the global layer uses rope_theta 1e6 with linear scaling.
        "gemma3-local-rope" => new TinyDecoderSpec
        {
            ModelType = "gemma3_text", Layers = 3, Heads = 4, KeyValueHeads = 2, HeadDim = 16, TieWordEmbeddings = true, RopeTheta = 1_000_000,
            RopeScaling = new JsonObject { ["rope_type"] = "linear", ["factor"] = 4.0 },
            Extra = new JsonObject
            {
                ["query_pre_attn_scalar"] = 24, ["sliding_window"] = 4, ["sliding_window_pattern"] = 2, ["rope_local_base_freq"] = 100.0,
                ["final_logit_softcapping"] = null, ["attn_logit_softcapping"] = null,
            },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>Deterministic pseudo-random token ids.</summary>
    public static int[] Tokens(int count, int vocabulary, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(vocabulary)).ToArray();
    }
}
