using System.Globalization;
using System.Text.Json.Nodes;

using static EvoMerge.Tensors.JsonConfigField;

namespace EvoMerge.Tensors;

/// <summary>
/// The config.json fields of the Gemma families (<c>gemma</c>, <c>gemma2</c>, <c>gemma3_text</c>) that change the
/// forward pass, read and checked with transformers' defaults (GemmaConfig, Gemma2Config, Gemma3TextConfig):
/// the GeGLU activation, <c>query_pre_attn_scalar</c>, attention and final logit soft-capping, the sliding window
/// and which layers use it (<c>layer_types</c>, else Gemma 2's alternation or Gemma 3's
/// <c>sliding_window_pattern</c>), and Gemma 3's <c>rope_local_base_freq</c> for the sliding layers.
/// </summary>
public sealed record GemmaFamilyConfig
{
    /// <summary>The activations this decoder implements for Gemma's GeGLU (the tanh approximation and exact erf GELU).</summary>
    public static readonly IReadOnlyList<string> SupportedActivations = ["gelu_pytorch_tanh", "gelu_new", "gelu"];

    /// <summary>The <c>hidden_activation</c> in effect.</summary>
    public required string Activation { get; init; }

    /// <summary>Attention scores are multiplied by this (head_dim^-0.5 for Gemma, query_pre_attn_scalar^-0.5 after).</summary>
    public required double AttentionScale { get; init; }

    /// <summary>The <c>query_pre_attn_scalar</c> (Gemma 2 and 3), else null.</summary>
    public double? QueryPreAttentionScalar { get; init; }

    /// <summary><c>attn_logit_softcapping</c>: scores become cap·tanh(scores/cap) before masking; null when off.</summary>
    public double? AttentionSoftcap { get; init; }

    /// <summary><c>final_logit_softcapping</c>: logits become cap·tanh(logits/cap); null when off.</summary>
    public double? FinalSoftcap { get; init; }

    /// <summary>The <c>sliding_window</c> of the sliding layers, null for Gemma (no sliding layers).</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Per layer: true when it attends through the sliding window (and, for Gemma 3, uses the local rotary base).</summary>
    public required IReadOnlyList<bool> SlidingLayers { get; init; }

    /// <summary>Gemma 3's <c>rope_local_base_freq</c> (rotary base of the sliding layers), else null.</summary>
    public double? LocalRopeTheta { get; init; }

    /// <summary>True for the Gemma model types.</summary>
    public static bool Covers(string modelType) => modelType is "gemma" or "gemma2" or "gemma3_text";

    /// <summary>The Gemma fields of <paramref name="config"/>, or null for another family; a bad value names the file and field.</summary>
    public static GemmaFamilyConfig? Read(ModelConfig config, string path)
    {
        if (!Covers(config.ModelType)) return null;
        var raw = config.Raw;
        string activation = String(raw, "hidden_activation", path) ?? "gelu_pytorch_tanh";
        if (!SupportedActivations.Contains(activation))
            throw new ModelConfigException(path, "hidden_activation", $"'{activation}' is not supported (supported: {string.Join(", ", SupportedActivations)})");
        if (config.ModelType == "gemma")
        {
            return new GemmaFamilyConfig
            {
                Activation = activation,
                AttentionScale = 1.0 / Math.Sqrt(config.HeadDim),
                SlidingLayers = new bool[config.NumHiddenLayers],
            };
        }
        double scalar = Double(raw, "query_pre_attn_scalar", path) ?? 256;
        if (!(scalar > 0) || !double.IsFinite(scalar)) throw new ModelConfigException(path, "query_pre_attn_scalar", "must be a positive number");
        bool gemma2 = config.ModelType == "gemma2";
        int window = Int(raw, "sliding_window", path) ?? 4096;
        if (window <= 0) throw new ModelConfigException(path, "sliding_window", "must be a positive integer");
        double? localTheta = null;
        if (!gemma2)
        {
            localTheta = Double(raw, "rope_local_base_freq", path) ?? 10_000.0;
            if (!(localTheta > 0) || !double.IsFinite(localTheta.Value)) throw new ModelConfigException(path, "rope_local_base_freq", "must be a positive number");
        }
        return new GemmaFamilyConfig
        {
            Activation = activation,
            QueryPreAttentionScalar = scalar,
            AttentionScale = 1.0 / Math.Sqrt(scalar),
            AttentionSoftcap = Softcap(raw, "attn_logit_softcapping", path, gemma2 ? 50.0 : null),
            FinalSoftcap = Softcap(raw, "final_logit_softcapping", path, gemma2 ? 30.0 : null),
            SlidingWindow = window,
            SlidingLayers = SlidingLayersOf(config, path, gemma2),
            LocalRopeTheta = localTheta,
        };
    }

    /// <summary>The fields as <c>inspect</c> shows them: one line, e.g. "sliding_window 4096 on layers 0, 2; attn softcap 50; …".</summary>
    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        var parts = new List<string> { $"hidden_activation {Activation}" };
        if (QueryPreAttentionScalar is { } q) parts.Add(string.Create(inv, $"query_pre_attn_scalar {q}"));
        if (SlidingWindow is { } w)
        {
            var sliding = SlidingLayers.Select((s, i) => (s, i)).Where(p => p.s).Select(p => p.i.ToString(inv)).ToList();
            parts.Add(string.Create(inv, $"sliding_window {w} on {sliding.Count} of {SlidingLayers.Count} layers ({(sliding.Count == 0 ? "none" : string.Join(" ", sliding))})"));
        }
        if (LocalRopeTheta is { } local) parts.Add(string.Create(inv, $"rope_local_base_freq {local}"));
        parts.Add(AttentionSoftcap is { } a ? string.Create(inv, $"attn_logit_softcapping {a}") : "no attention softcap");
        parts.Add(FinalSoftcap is { } f ? string.Create(inv, $"final_logit_softcapping {f}") : "no final softcap");
        return string.Join("; ", parts);
    }

    private static double? Softcap(JsonObject raw, string field, string path, double? fallback)
    {
        if (!raw.ContainsKey(field)) return fallback;
        double? value = Double(raw, field, path);
        if (value is { } cap && (!(cap > 0) || !double.IsFinite(cap)))
            throw new ModelConfigException(path, field, string.Create(CultureInfo.InvariantCulture, $"must be a positive number or null (got {cap})"));
        return value;
    }

    /// <summary>
    /// <c>layer_types</c> when given ("sliding_attention" / "full_attention", one per layer); else Gemma 2 slides on
    /// even layers and Gemma 3 on every layer but each <c>sliding_window_pattern</c>-th (default 6).
    /// </summary>
    private static bool[] SlidingLayersOf(ModelConfig config, string path, bool gemma2)
    {
        int layers = config.NumHiddenLayers;
        if (config.Raw["layer_types"] is { } node)
        {
            if (node is not JsonArray types || types.Count != layers)
                throw new ModelConfigException(path, "layer_types", $"must be a list of {layers} entries (one per layer)");
            return types.Select((t, i) => t is JsonValue v && v.TryGetValue(out string? s) ? s switch
            {
                "sliding_attention" => true,
                "full_attention" => false,
                _ => throw new ModelConfigException(path, "layer_types", $"entry {i} '{s}' is not 'sliding_attention' or 'full_attention'"),
            } : throw new ModelConfigException(path, "layer_types", $"entry {i} must be a string")).ToArray();
        }
        if (gemma2) return Enumerable.Range(0, layers).Select(i => i % 2 == 0).ToArray();
        int pattern = Int(config.Raw, "sliding_window_pattern", path) ?? 6;
        if (pattern <= 0) throw new ModelConfigException(path, "sliding_window_pattern", "must be a positive integer");
        return Enumerable.Range(0, layers).Select(i => (i + 1) % pattern != 0).ToArray();
    }
}
