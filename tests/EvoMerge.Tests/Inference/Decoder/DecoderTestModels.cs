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
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>Deterministic pseudo-random token ids.</summary>
    public static int[] Tokens(int count, int vocabulary, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(vocabulary)).ToArray();
    }
}
