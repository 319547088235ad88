using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using static EvoMerge.Tensors.JsonConfigField;

namespace EvoMerge.Tensors.Lora;

/// <summary>
/// The fields of a PEFT <c>adapter_config.json</c> that decide how a LoRA adapter is merged into its base:
/// <c>r</c>, <c>lora_alpha</c>, <c>use_rslora</c> (scale α/√r instead of α/r), <c>rank_pattern</c> and
/// <c>alpha_pattern</c> (per-module overrides, matched as PEFT does: the first key K, in file order, for which the
/// module name matches the regular expression <c>(.*\.)?(K)$</c> from its start) and <c>fan_in_fan_out</c> (the base
/// stores the weight as [in, out]). Features whose merge EvoMerge does not implement are refused with an error naming
/// the file and the field: <c>peft_type</c> other than LORA, <c>use_dora</c>, <c>bias</c> other than "none",
/// <c>lora_bias</c>, <c>layer_replication</c>, <c>target_parameters</c> and <c>trainable_token_indices</c>.
/// </summary>
public sealed record LoraAdapterConfig
{
    /// <summary>The file read.</summary>
    public required string File { get; init; }

    /// <summary><c>r</c>: the default rank.</summary>
    public required int Rank { get; init; }

    /// <summary><c>lora_alpha</c>: the default α.</summary>
    public required double Alpha { get; init; }

    /// <summary><c>use_rslora</c>: scale by α/√r.</summary>
    public bool UseRsLora { get; init; }

    /// <summary><c>fan_in_fan_out</c>: base weights are stored transposed ([in, out]).</summary>
    public bool FanInFanOut { get; init; }

    /// <summary><c>rank_pattern</c>, in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> RankPattern { get; init; } = [];

    /// <summary><c>alpha_pattern</c>, in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> AlphaPattern { get; init; } = [];

    /// <summary><c>modules_to_save</c>: modules stored whole in the adapter (their tensors replace the base's).</summary>
    public IReadOnlyList<string> ModulesToSave { get; init; } = [];

    /// <summary>The rank a module was trained with (<c>rank_pattern</c>, else <c>r</c>).</summary>
    public int RankOf(string module) => (int)(Match(RankPattern, module) ?? Rank);

    /// <summary>The merge scale of a module: α/r, or α/√r with <c>use_rslora</c> (α and r after the patterns).</summary>
    public double ScaleOf(string module)
    {
        double alpha = Match(AlphaPattern, module) ?? Alpha;
        int rank = RankOf(module);
        return UseRsLora ? alpha / Math.Sqrt(rank) : alpha / rank;
    }

    private static double? Match(IReadOnlyList<KeyValuePair<string, double>> pattern, string module)
    {
        foreach (var (key, value) in pattern)
        {
            if (key == module || Regex.IsMatch(module, $"^(.*\\.)?({key})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))) return value;
        }
        return null;
    }

    /// <summary>Reads and checks an <c>adapter_config.json</c>; problems name the file and the field.</summary>
    public static LoraAdapterConfig Load(string path)
    {
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"{path}: adapter_config.json not found (a LoRA adapter directory holds adapter_config.json and adapter_model.safetensors)", path);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(System.IO.File.ReadAllText(path)) as JsonObject ?? throw new ModelConfigException(path, null, "must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new ModelConfigException(path, null, $"not valid JSON ({e.Message})");
        }
        string peftType = String(root, "peft_type", path) ?? "LORA";
        if (!string.Equals(peftType, "LORA", StringComparison.OrdinalIgnoreCase))
            throw new ModelConfigException(path, "peft_type", $"is '{peftType}'; only LoRA adapters (LORA) can be merged");
        if ((Bool(root, "use_dora", path) ?? false))
            throw new ModelConfigException(path, "use_dora", "is true; DoRA adapters are not supported (only plain LoRA: W + scale·B·A)");
        string bias = String(root, "bias", path) ?? "none";
        if (bias != "none")
            throw new ModelConfigException(path, "bias", $"is '{bias}'; only adapters trained with bias \"none\" are supported");
        if ((Bool(root, "lora_bias", path) ?? false))
            throw new ModelConfigException(path, "lora_bias", "is true; LoRA biases on lora_B are not supported");
        foreach (string field in new[] { "layer_replication", "trainable_token_indices" })
        {
            if (root[field] is { } value && !(value is JsonArray { Count: 0 } || value is JsonObject { Count: 0 }))
                throw new ModelConfigException(path, field, "is set; this PEFT feature is not supported");
        }
        if (root["target_parameters"] is JsonArray { Count: > 0 })
            throw new ModelConfigException(path, "target_parameters", "is set; LoRA on parameters (not modules) is not supported");

        double rank = Double(root, "r", path) ?? throw new ModelConfigException(path, "r", "is missing");
        if (rank < 1 || rank != Math.Floor(rank)) throw new ModelConfigException(path, "r", $"must be a positive integer, got {rank}");
        double alpha = Double(root, "lora_alpha", path) ?? 8;
        return new LoraAdapterConfig
        {
            File = path,
            Rank = (int)rank,
            Alpha = alpha,
            UseRsLora = (Bool(root, "use_rslora", path) ?? false),
            FanInFanOut = (Bool(root, "fan_in_fan_out", path) ?? false),
            RankPattern = Pattern(root, "rank_pattern", path, integer: true),
            AlphaPattern = Pattern(root, "alpha_pattern", path, integer: false),
            ModulesToSave = root["modules_to_save"] is JsonArray saved
                ? saved.Select(s => s is JsonValue v && v.TryGetValue(out string? name) ? name : throw new ModelConfigException(path, "modules_to_save", "must be a list of module names")).ToArray()
                : [],
        };
    }

    private static List<KeyValuePair<string, double>> Pattern(JsonObject root, string field, string path, bool integer)
    {
        if (root[field] is null) return [];
        if (root[field] is not JsonObject map) throw new ModelConfigException(path, field, "must be an object of module pattern → number");
        var entries = new List<KeyValuePair<string, double>>();
        foreach (var (key, value) in map)
        {
            if (value is not JsonValue v || !v.TryGetValue(out double number) || (integer && (number < 1 || number != Math.Floor(number))))
                throw new ModelConfigException(path, $"{field}.{key}", integer ? "must be a positive integer" : "must be a number");
            try
            {
                _ = new Regex(key, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw new ModelConfigException(path, $"{field}.{key}", $"is not a valid regular expression ({e.Message})");
            }
            entries.Add(new(key, number));
        }
        return entries;
    }
}
