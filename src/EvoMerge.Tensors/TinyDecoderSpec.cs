using System.Text.Json.Nodes;
using TorchSharp;

namespace EvoMerge.Tensors;

/// <summary>
/// Shape of a small decoder of a family EvoMerge's decoder runs (Llama, Mistral, Qwen2/3, Gemma, Gemma 2, Gemma 3
/// text, Phi-3, Mixtral) that EvoMerge writes itself (no weights can be downloaded here): used by tests, benchmarks
/// and the bundled demo. config.json names the family's architecture from <see cref="ArchitectureCatalog"/>.
/// <see cref="Extra"/> fields (Gemma's soft-capping, sliding window, layer pattern; Phi-3's partial rotary factor and
/// longrope scaling; Mixtral's expert counts, …) are written last.
/// </summary>
public sealed record TinyDecoderSpec
{
    public string ModelType { get; init; } = "llama";
    public int Layers { get; init; } = 2;
    public int HiddenSize { get; init; } = 32;
    public int IntermediateSize { get; init; } = 64;
    public int Heads { get; init; } = 4;
    public int KeyValueHeads { get; init; } = 2;
    public int? HeadDim { get; init; }
    public int VocabSize { get; init; } = 64;
    public bool TieWordEmbeddings { get; init; }
    public double RopeTheta { get; init; } = 10000.0;
    public double RmsNormEps { get; init; } = 1e-6;
    public int MaxPositionEmbeddings { get; init; } = 512;
    public JsonObject? RopeScaling { get; init; }
    public torch.ScalarType DType { get; init; } = torch.ScalarType.Float32;
    public JsonObject? Extra { get; init; }

    /// <summary>The config.json this spec describes (HF field names).</summary>
    public JsonObject ToConfigJson()
    {
        string architecture = ArchitectureCatalog.Find(ModelType)?.Architectures[0] ?? "LlamaForCausalLM";
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray(architecture),
            ["model_type"] = ModelType,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = Layers,
            ["num_attention_heads"] = Heads,
            ["num_key_value_heads"] = KeyValueHeads,
            ["vocab_size"] = VocabSize,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["rms_norm_eps"] = RmsNormEps,
            ["rope_theta"] = RopeTheta,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["hidden_act"] = "silu",
            ["bos_token_id"] = 1,
            ["eos_token_id"] = 2,
            ["torch_dtype"] = DTypes.ToTorchName(DType),
        };
        if (GemmaFamilyConfig.Covers(ModelType))
        {
            config.Remove("hidden_act");
            config["hidden_activation"] = "gelu_pytorch_tanh";
            config["head_dim"] = HeadDim ?? HiddenSize / Heads;
        }
        if (HeadDim is { } headDim) config["head_dim"] = headDim;
        if (RopeScaling is not null) config["rope_scaling"] = RopeScaling.DeepClone();
        if (ModelType == "qwen2") config["attention_bias"] = true;
        foreach (var (key, value) in Extra ?? []) config[key] = value?.DeepClone();
        return config;
    }
}
