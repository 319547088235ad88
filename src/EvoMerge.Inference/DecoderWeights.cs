using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Inference;

/// <summary>
/// A decoder's tensors by HF name (<c>model.layers.0.self_attn.q_proj.weight</c>, …), held in memory in one
/// dtype and checked against the config: every name the <see cref="DecoderLayout"/> expects is present with the
/// shape the config implies. Tied models have no <c>lm_head.weight</c>; the head reuses the embedding.
/// </summary>
public sealed class DecoderWeights : IDisposable
{
    private readonly Dictionary<string, torch.Tensor> _tensors;

    private DecoderWeights(ModelConfig config, string configPath, DecoderLayout layout, Dictionary<string, torch.Tensor> tensors, torch.ScalarType dtype)
    {
        Config = config;
        ConfigPath = configPath;
        Layout = layout;
        _tensors = tensors;
        DType = dtype;
    }

    /// <summary>The model's config.</summary>
    public ModelConfig Config { get; }

    /// <summary>Where the config came from (used in error messages).</summary>
    public string ConfigPath { get; }

    /// <summary>The tensor layout of this model type.</summary>
    public DecoderLayout Layout { get; }

    /// <summary>The dtype every tensor is held in.</summary>
    public torch.ScalarType DType { get; }

    /// <summary>The tensors by HF name, in canonical layout order.</summary>
    public IReadOnlyDictionary<string, torch.Tensor> Tensors => _tensors;

    /// <summary>The tensor of a name; a name the layout does not have is an error.</summary>
    public torch.Tensor this[string name] => _tensors.TryGetValue(name, out var t)
        ? t
        : throw new KeyNotFoundException($"{ConfigPath}: decoder has no tensor named '{name}'");

    /// <summary>
    /// Reads and validates a model directory's weights, converting them to <paramref name="dtype"/>: an unknown
    /// model_type names config.json and the field; <c>vocab_size</c> larger than the embedding rows, a missing
    /// tensor, or a shape that does not match the config name the file and the tensor. Of a multimodal gemma3
    /// checkpoint only the text decoder is read (<see cref="MultimodalTextPart"/>), its tensors held under the
    /// canonical names and its config the text config.
    /// </summary>
    public static DecoderWeights Load(ModelDirectory directory, torch.ScalarType dtype)
    {
        RequireFloating(dtype);
        var layout = directory.Layout;
        var weights = directory.Weights;
        var text = MultimodalTextPart.Covers(directory.Config.ModelType)
            ? MultimodalTextPart.Of(directory.Config, directory.ConfigPath, weights.Names, directory.Path)
            : null;
        var config = text?.Config ?? directory.Config;
        string Stored(string name) => text?.StoredName(name) ?? name;
        RequireSupportedVariant(config, directory.ConfigPath);
        string embedding = Stored("model.embed_tokens.weight");
        RequireVocabularyFits(config, directory.ConfigPath, embedding,
            weights.Contains(embedding) ? weights.Info(embedding).Shape : null,
            weights.Contains(embedding) ? weights.FileOf(embedding).Path : directory.Path);
        if (text is null) directory.Validate();
        else Validate(directory, layout, Stored);
        var tensors = new Dictionary<string, torch.Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (string name in layout.ExpectedNames())
                tensors[name] = weights.Load(Stored(name), dtype).DetachFromDisposeScope();
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new DecoderWeights(config, directory.ConfigPath, layout, tensors, dtype);
    }

    /// <summary>
    /// Builds weights from tensors already in memory (copied and converted to <paramref name="dtype"/>), with the
    /// same checks as <see cref="Load"/>; <paramref name="source"/> names the origin in error messages.
    /// </summary>
    public static DecoderWeights FromTensors(ModelConfig config, string source, IReadOnlyDictionary<string, torch.Tensor> tensors, torch.ScalarType dtype)
    {
        RequireFloating(dtype);
        var layout = DecoderLayout.For(config, source);
        RequireSupportedVariant(config, source);
        RequireVocabularyFits(config, source, "model.embed_tokens.weight",
            tensors.TryGetValue("model.embed_tokens.weight", out var embed) ? embed.shape : null, source);
        foreach (string name in layout.ExpectedNames())
        {
            if (!tensors.TryGetValue(name, out var tensor))
                throw new SafetensorsFormatException(source, name, "missing from the model's weights");
            var expected = layout.ExpectedShape(name)!;
            if (!expected.SequenceEqual(tensor.shape))
                throw new SafetensorsFormatException(source, name,
                    $"shape [{string.Join(", ", tensor.shape)}] does not match config.json (expected [{string.Join(", ", expected)}])");
        }
        var copies = new Dictionary<string, torch.Tensor>(StringComparer.Ordinal);
        foreach (string name in layout.ExpectedNames())
        {
            var original = tensors[name];
            var copy = torch.empty(original.shape, dtype).DetachFromDisposeScope();
            copy.copy_(original);
            copies[name] = copy;
        }
        return new DecoderWeights(config, source, layout, copies, dtype);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }

    /// <summary><see cref="ModelDirectory.Validate"/> for tensors stored under other names than the layout's.</summary>
    private static void Validate(ModelDirectory directory, DecoderLayout layout, Func<string, string> stored)
    {
        foreach (string name in layout.ExpectedNames())
        {
            string storedName = stored(name);
            if (!directory.Weights.Contains(storedName))
                throw new SafetensorsFormatException(directory.Path, storedName, "missing from the model's weights");
            var info = directory.Weights.Info(storedName);
            var expected = layout.ExpectedShape(name)!;
            if (!expected.SequenceEqual(info.Shape))
                throw new SafetensorsFormatException(directory.Weights.FileOf(storedName).Path, storedName,
                    $"shape {info.ShapeText} does not match config.json (expected [{string.Join(", ", expected)}])");
        }
    }

    private static void RequireVocabularyFits(ModelConfig config, string configPath, string embeddingName, long[]? embeddingShape, string embeddingFile)
    {
        if (embeddingShape is { Length: 2 } && config.VocabSize > embeddingShape[0])
            throw new ModelConfigException(configPath, "vocab_size",
                $"{config.VocabSize} is larger than the {embeddingShape[0]} rows of '{embeddingName}' in {embeddingFile}");
    }

    /// <summary>
    /// Rejects config variants whose extra tensors or activations this decoder would otherwise silently ignore: an
    /// activation other than SiLU (Gemma: see <see cref="GemmaFamilyConfig"/>, which ignores <c>hidden_act</c>), MLP biases, an o_proj bias (llama/qwen3 <c>attention_bias</c>; only qwen2 has
    /// q/k/v biases without one) and Qwen's per-layer sliding window; Mixtral's top-k and Phi-3's partial rotary factor.
    /// </summary>
    private static void RequireSupportedVariant(ModelConfig config, string configPath)
    {
        if (GemmaFamilyConfig.Covers(config.ModelType))
            _ = GemmaFamilyConfig.Read(config, configPath);
        else if (config.Raw["hidden_act"] is JsonValue act && act.TryGetValue(out string? activation) && activation != "silu")
            throw new ModelConfigException(configPath, "hidden_act", $"'{activation}' is not supported (only silu)");
        if (config.Raw["mlp_bias"] is JsonValue mlpBias && mlpBias.TryGetValue(out bool hasMlpBias) && hasMlpBias)
            throw new ModelConfigException(configPath, "mlp_bias", "true is not supported");
        if (config.AttentionBias && config.ModelType != "qwen2")
            throw new ModelConfigException(configPath, "attention_bias",
                $"true is not supported for {config.ModelType} (it adds an o_proj bias; only qwen2's q/k/v biases are)");
        if (config.ModelType is "qwen2" or "qwen3" && config.Raw["use_sliding_window"] is JsonValue sliding && sliding.TryGetValue(out bool usesSliding) && usesSliding)
            throw new ModelConfigException(configPath, "use_sliding_window", "true is not supported");
        if (config.ModelType == "mixtral") SparseMoeBlock.TopKOf(config, configPath);
        if (config.ModelType == "phi3") PartialRotary.Dimension(config, configPath);
    }

    private static void RequireFloating(torch.ScalarType dtype)
    {
        if (dtype is not (torch.ScalarType.Float32 or torch.ScalarType.BFloat16 or torch.ScalarType.Float16 or torch.ScalarType.Float64))
            throw new ArgumentException($"compute dtype {dtype} is not a floating type (use float32, bfloat16, float16 or float64)");
    }
}
