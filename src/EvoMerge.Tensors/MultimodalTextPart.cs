using System.Text.Json.Nodes;

namespace EvoMerge.Tensors;

/// <summary>
/// The text decoder inside a multimodal Gemma 3 checkpoint (<c>model_type</c> gemma3, Gemma3ForConditionalGeneration):
/// its config is <c>text_config</c> read as a <c>gemma3_text</c> config over Gemma3TextConfig's defaults (the Hub's
/// checkpoints leave most sizes out), and its tensors are the canonical decoder names under the checkpoint's text
/// prefix: <c>language_model.model.</c> (transformers 4.50/4.51, head <c>language_model.lm_head.weight</c>) or
/// <c>model.language_model.</c> (4.52 on, head <c>lm_head.weight</c>). The vision tower and projector are not part of it.
/// </summary>
public sealed record MultimodalTextPart
{
    private const string CanonicalPrefix = "model.";
    private const string CanonicalHead = "lm_head.weight";

    /// <summary>Gemma3TextConfig's defaults for the fields the decoder reads (transformers' configuration_gemma3.py).</summary>
    private static readonly (string Key, JsonNode? Value)[] TextDefaults =
    [
        ("vocab_size", 262_208), ("hidden_size", 2304), ("intermediate_size", 9216), ("num_hidden_layers", 26),
        ("num_attention_heads", 8), ("num_key_value_heads", 4), ("head_dim", 256), ("max_position_embeddings", 131_072),
        ("rms_norm_eps", 1e-6), ("rope_theta", 1_000_000.0), ("query_pre_attn_scalar", 256), ("sliding_window", 4096),
        ("rope_local_base_freq", 10_000.0), ("hidden_activation", "gelu_pytorch_tanh"), ("tie_word_embeddings", true),
    ];

    /// <summary>The text decoder's config (<c>model_type</c> gemma3_text).</summary>
    public required ModelConfig Config { get; init; }

    /// <summary>The checkpoint's prefix for the decoder's <c>model.</c> tensors.</summary>
    public required string Prefix { get; init; }

    /// <summary>The checkpoint's name of the untied LM head.</summary>
    public required string HeadName { get; init; }

    /// <summary>True for the multimodal model types whose text part the decoder runs.</summary>
    public static bool Covers(string modelType) => modelType == "gemma3";

    /// <summary>
    /// The text config of a multimodal config: a missing or non-object <c>text_config</c> is an error naming the file
    /// and the field; the text config's own errors name config.json and the field inside <c>text_config</c>.
    /// </summary>
    public static ModelConfig TextConfig(ModelConfig config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Raw["text_config"] is not JsonObject text)
            throw new ModelConfigException(path, "text_config",
                config.Raw["text_config"] is null ? $"is missing ({config.ModelType} is multimodal; the decoder runs its text part)" : "must be a JSON object");
        var merged = (JsonObject)text.DeepClone();
        merged["model_type"] = "gemma3_text";
        foreach (var (key, value) in TextDefaults)
        {
            if (!merged.ContainsKey(key)) merged[key] = value?.DeepClone();
        }
        if (!merged.ContainsKey("torch_dtype") && config.TorchDtype is { } dtype) merged["torch_dtype"] = dtype;
        // Re-parsed so the defaults read like parsed JSON (a JsonValue built from an int does not read as a double).
        return ModelConfig.FromJson((JsonObject)JsonNode.Parse(merged.ToJsonString())!, path);
    }

    /// <summary>
    /// The text part of a multimodal checkpoint with tensor names <paramref name="names"/>; weights with no tensor
    /// under either text prefix are an error naming the weights and the prefixes looked for.
    /// </summary>
    public static MultimodalTextPart Of(ModelConfig config, string configPath, IReadOnlyCollection<string> names, string weightsPath)
    {
        ArgumentNullException.ThrowIfNull(names);
        var textConfig = TextConfig(config, configPath);
        foreach (var (prefix, head) in new[] { ("model.language_model.", "lm_head.weight"), ("language_model.model.", "language_model.lm_head.weight") })
        {
            if (names.Any(n => n.StartsWith(prefix, StringComparison.Ordinal)))
                return new MultimodalTextPart { Config = textConfig, Prefix = prefix, HeadName = head };
        }
        throw new SafetensorsFormatException(weightsPath, null,
            $"no text decoder tensors in this {config.ModelType} checkpoint (none named language_model.model.* or model.language_model.*)");
    }

    /// <summary>The checkpoint's name of a canonical decoder tensor name (<c>model.layers.0.…</c>, <c>lm_head.weight</c>).</summary>
    public string StoredName(string canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        if (canonical == CanonicalHead) return HeadName;
        return canonical.StartsWith(CanonicalPrefix, StringComparison.Ordinal) ? Prefix + canonical[CanonicalPrefix.Length..] : canonical;
    }
}
