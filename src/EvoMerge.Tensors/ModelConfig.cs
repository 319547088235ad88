using System.Text.Json;
using System.Text.Json.Nodes;

using static EvoMerge.Tensors.JsonConfigField;

namespace EvoMerge.Tensors;

/// <summary>
/// The fields of a HuggingFace <c>config.json</c> that EvoMerge uses, plus the raw JSON so a merged model's config
/// can be written back with only the changed fields touched.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>Model types EvoMerge's decoder runs (search and eval; of multimodal gemma3, the <see cref="MultimodalTextPart"/>); <see cref="ArchitectureCatalog"/> lists every family that merges.</summary>
    public static readonly IReadOnlyList<string> SupportedModelTypes = ["llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text", "phi3", "mixtral", "gemma3"];

    public required string ModelType { get; init; }
    public string? Architecture { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumAttentionHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int VocabSize { get; init; }
    public bool TieWordEmbeddings { get; init; }
    public string? TorchDtype { get; init; }
    public double RmsNormEps { get; init; } = 1e-6;
    public double RopeTheta { get; init; } = 10000.0;
    public int MaxPositionEmbeddings { get; init; } = 2048;
    public bool AttentionBias { get; init; }
    public int? BosTokenId { get; init; }
    public int? EosTokenId { get; init; }

    /// <summary>The <c>rope_scaling</c> object, when present.</summary>
    public JsonObject? RopeScaling { get; init; }

    /// <summary>The whole config as read.</summary>
    public required JsonObject Raw { get; init; }

    /// <summary>The family's tensor naming and size fields, or null for a model_type <see cref="ArchitectureCatalog"/> does not know.</summary>
    public ArchitectureSpec? Family { get; init; }

    /// <summary>The config field holding the layer count (<c>n_layer</c> for GPT-2).</summary>
    public string LayerCountKey => (Family?.Keys ?? ArchitectureKeys.Standard).Layers;

    /// <summary>True when <see cref="ModelType"/> is one EvoMerge can merge and run.</summary>
    public bool IsSupported => SupportedModelTypes.Contains(ModelType);

    /// <summary>Reads and checks <c>config.json</c>; problems name the file and the field.</summary>
    public static ModelConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config.json not found", path);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new ModelConfigException(path, null, "must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new ModelConfigException(path, null, $"not valid JSON ({e.Message})");
        }
        return FromJson(root, path);
    }

    /// <summary>Builds a config from parsed JSON; <paramref name="path"/> is used in error messages.</summary>
    public static ModelConfig FromJson(JsonObject root, string path)
    {
        string modelType = String(root, "model_type", path) ?? throw new ModelConfigException(path, "model_type", "is missing");
        if (ArchitectureCatalog.RefusedModelTypes.TryGetValue(modelType, out string? refusal))
            throw new ModelConfigException(path, "model_type", $"'{modelType}' {refusal}");
        var family = ArchitectureCatalog.Find(modelType);
        var keys = family?.Keys ?? ArchitectureKeys.Standard;
        // An unknown model_type merges by its tensor names (DecoderLayout.ForMerging): sizes it lacks are 0, and a
        // multimodal config's sizes are its text_config's.
        bool inferred = family is null;
        var text = inferred ? root["text_config"] as JsonObject : null;
        int? Size(string key) => Int(root, key, path) ?? (text is null ? null : Int(text, key, path));
        int Missing(string key) => inferred ? 0 : throw new ModelConfigException(path, key, "is missing");
        int hidden = Size(keys.Hidden) ?? Missing(keys.Hidden);
        int heads = Size(keys.Heads) ?? Missing(keys.Heads);
        int layers = Size(keys.Layers) ?? Missing(keys.Layers);
        int intermediate = Size(keys.Intermediate) ?? keys.IntermediateFactor * hidden ?? Missing(keys.Intermediate);
        int vocab = Size("vocab_size") ?? Missing("vocab_size");
        int kvHeads = Size("num_key_value_heads") ?? heads;
        bool unsized = inferred && heads == 0;
        if (heads <= 0 && !unsized) throw new ModelConfigException(path, keys.Heads, "must be positive");
        if (!unsized && (kvHeads <= 0 || heads % kvHeads != 0))
            throw new ModelConfigException(path, "num_key_value_heads", $"{kvHeads} must divide {keys.Heads} ({heads})");
        int headDim = Size("head_dim") ?? (unsized ? 0 : ConfigClassDefaults.HeadDim(modelType, hidden, heads));
        foreach (var (field, value) in new[] { (keys.Hidden, hidden), (keys.Layers, layers), (keys.Intermediate, intermediate), ("vocab_size", vocab), ("head_dim", headDim) })
        {
            if (value < 0 || (value == 0 && !inferred)) throw new ModelConfigException(path, field, "must be positive");
        }

        int? eos = root["eos_token_id"] switch
        {
            JsonValue v when v.TryGetValue(out int id) => id,
            JsonArray a when a.Count > 0 && a[0] is JsonValue v0 && v0.TryGetValue(out int id0) => id0,
            _ => null,
        };

        return new ModelConfig
        {
            ModelType = modelType,
            Family = family,
            Architecture = (root["architectures"] as JsonArray)?.FirstOrDefault()?.GetValue<string>(),
            NumHiddenLayers = layers,
            HiddenSize = hidden,
            IntermediateSize = intermediate,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = headDim,
            VocabSize = vocab,
            TieWordEmbeddings = Bool(root, "tie_word_embeddings", path) ?? family?.TiedByDefault ?? false,
            TorchDtype = String(root, "torch_dtype", path) ?? String(root, "dtype", path),
            RmsNormEps = Double(root, "rms_norm_eps", path) ?? ConfigClassDefaults.RmsNormEps(modelType),
            RopeTheta = Double(root, "rope_theta", path) ?? ConfigClassDefaults.RopeTheta(modelType),
            MaxPositionEmbeddings = Int(root, keys.Positions, path) ?? ConfigClassDefaults.MaxPositionEmbeddings(modelType),
            AttentionBias = Bool(root, "attention_bias", path) ?? modelType == "qwen2",
            BosTokenId = Int(root, "bos_token_id", path),
            EosTokenId = eos,
            RopeScaling = root["rope_scaling"] as JsonObject,
            Raw = root,
        };
    }

    /// <summary>A copy of the raw JSON with some fields replaced (used when writing a merged model).</summary>
    public JsonObject WithFields(IReadOnlyDictionary<string, JsonNode?> changes)
    {
        var copy = (JsonObject)Raw.DeepClone();
        foreach (var (key, value) in changes) copy[key] = value?.DeepClone();
        return copy;
    }
}
