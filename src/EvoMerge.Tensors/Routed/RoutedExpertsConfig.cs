using System.Globalization;
using System.Text.Json.Nodes;

namespace EvoMerge.Tensors.Routed;

/// <summary>
/// The <c>evomerge_routed</c> block of a routed-experts model's <c>config.json</c> (docs/routed-merges.md): how many
/// low-rank experts the model holds, how their rank was chosen (informational), and the prototype router's settings.
/// Its tensors are named by <see cref="FactorName"/> and <see cref="PrototypesName"/>.
/// </summary>
public sealed record RoutedExpertsConfig
{
    /// <summary>The config.json key of the block.</summary>
    public const string Key = "evomerge_routed";

    /// <summary>The only format version this build reads and writes.</summary>
    public const int FormatVersion = 1;

    /// <summary>The router's prototypes, <c>[experts, hidden_size]</c> fp32: row s is expert s's mean routing-layer state.</summary>
    public const string PrototypesName = "evomerge_routed.router.prototypes";

    /// <summary>The only router kind: nearest prototype.</summary>
    public const string PrototypeRouter = "prototype";

    /// <summary>The number of experts (one per merged source, in recipe order).</summary>
    public required int Experts { get; init; }

    /// <summary>The sources' names, one per expert (informational; may be empty).</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>The fixed rank the factors were cut to, or null when <see cref="Energy"/> chose per-tensor ranks.</summary>
    public int? Rank { get; init; }

    /// <summary>The kept fraction of each residual's squared singular values, or null for a fixed rank.</summary>
    public double? Energy { get; init; }

    /// <summary>The layer whose input (the residual stream entering it) the router reads; experts act in this layer and every later one.</summary>
    public required int RouterLayer { get; init; }

    /// <summary>Softmax temperature over negative prototype distances (positive).</summary>
    public required double Temperature { get; init; }

    /// <summary>Sequence or token routing.</summary>
    public required RoutingGranularity Granularity { get; init; }

    /// <summary>Experts mixed per input (1 = hard routing), at most <see cref="Experts"/>.</summary>
    public required int TopK { get; init; }

    /// <summary>The name of expert <paramref name="source"/>'s factor (<c>lora_A</c> [r, in] or <c>lora_B</c> [out, r]) of linear weight <paramref name="weightName"/>.</summary>
    public static string FactorName(string weightName, int source, string factor) =>
        string.Create(CultureInfo.InvariantCulture, $"{weightName}.routed_experts.{source}.{factor}");

    /// <summary>True when <paramref name="config"/> carries the block.</summary>
    public static bool IsRouted(ModelConfig config) => config.Raw[Key] is not null;

    /// <summary>Reads and checks the block of <paramref name="config"/> (null when absent); problems name <paramref name="path"/> and the field.</summary>
    public static RoutedExpertsConfig? Read(ModelConfig config, string path)
    {
        if (config.Raw[Key] is null) return null;
        if (config.Raw[Key] is not JsonObject block) throw new ModelConfigException(path, Key, "must be an object");
        int version = Int(block, "format_version", path) ?? throw Missing(path, "format_version");
        if (version != FormatVersion)
            throw new ModelConfigException(path, $"{Key}.format_version", $"{version} is not supported (this build reads version {FormatVersion})");
        int experts = Int(block, "experts", path) ?? throw Missing(path, "experts");
        if (experts < 1) throw new ModelConfigException(path, $"{Key}.experts", $"must be at least 1 (got {experts})");
        var sources = block["sources"] switch
        {
            null => [],
            JsonArray a when a.All(n => n is JsonValue v && v.TryGetValue(out string? _)) && a.Count == experts => a.Select(n => n!.GetValue<string>()).ToArray(),
            _ => throw new ModelConfigException(path, $"{Key}.sources", $"must be a list of {experts} names"),
        };
        int? rank = Int(block, "rank", path);
        if (rank is < 1) throw new ModelConfigException(path, $"{Key}.rank", $"must be at least 1 (got {rank})");
        double? energy = Double(block, "energy", path);
        if (energy is not null and (<= 0 or > 1)) throw new ModelConfigException(path, $"{Key}.energy", $"must be in (0, 1] (got {energy})");
        if (block["router"] is not JsonObject router) throw Missing(path, "router");
        string kind = router["kind"] is JsonValue k && k.TryGetValue(out string? s) ? s : throw Missing(path, "router.kind");
        if (kind != PrototypeRouter) throw new ModelConfigException(path, $"{Key}.router.kind", $"'{kind}' is not supported (only '{PrototypeRouter}')");
        int layer = Int(router, "router.layer", path) ?? throw Missing(path, "router.layer");
        if (layer < 0 || layer >= config.NumHiddenLayers)
            throw new ModelConfigException(path, $"{Key}.router.layer", $"{layer} is outside the model's layers (0 … {config.NumHiddenLayers - 1})");
        double temperature = Double(router, "router.temperature", path) ?? throw Missing(path, "router.temperature");
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ModelConfigException(path, $"{Key}.router.temperature", $"must be a positive number (got {temperature.ToString(CultureInfo.InvariantCulture)})");
        var granularity = (router["granularity"] is JsonValue g && g.TryGetValue(out string? gs) ? gs : throw Missing(path, "router.granularity")) switch
        {
            "sequence" => RoutingGranularity.Sequence,
            "token" => RoutingGranularity.Token,
            var other => throw new ModelConfigException(path, $"{Key}.router.granularity", $"'{other}' is not supported (sequence or token)"),
        };
        int topK = Int(router, "router.top_k", path) ?? throw Missing(path, "router.top_k");
        if (topK < 1 || topK > experts) throw new ModelConfigException(path, $"{Key}.router.top_k", $"must be 1 … {experts} (got {topK})");
        return new RoutedExpertsConfig
        {
            Experts = experts, Sources = sources, Rank = rank, Energy = energy, RouterLayer = layer, Temperature = temperature,
            Granularity = granularity, TopK = topK,
        };
    }

    /// <summary>
    /// The method as <c>evomerge merge</c> names it, with the backbone's method <paramref name="backboneMethod"/>:
    /// e.g. <c>routed (backbone ties, rank 16, 3 experts)</c> or <c>routed (backbone ties, energy 0.9, 2 experts)</c>.
    /// </summary>
    public string Describe(string backboneMethod)
    {
        string cut = Rank is { } rank ? string.Create(CultureInfo.InvariantCulture, $"rank {rank}")
            : Energy is { } energy ? string.Create(CultureInfo.InvariantCulture, $"energy {energy}") : "rank full";
        return string.Create(CultureInfo.InvariantCulture, $"routed (backbone {backboneMethod}, {cut}, {Experts} expert{(Experts == 1 ? "" : "s")})");
    }

    /// <summary>The block as written into config.json.</summary>
    public JsonObject ToJson()
    {
        var block = new JsonObject
        {
            ["format_version"] = FormatVersion,
            ["experts"] = Experts,
        };
        if (Sources.Count > 0) block["sources"] = new JsonArray(Sources.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        if (Rank is { } rank) block["rank"] = rank;
        if (Energy is { } energy) block["energy"] = energy;
        block["router"] = new JsonObject
        {
            ["kind"] = PrototypeRouter,
            ["layer"] = RouterLayer,
            ["temperature"] = Temperature,
            ["granularity"] = Granularity == RoutingGranularity.Sequence ? "sequence" : "token",
            ["top_k"] = TopK,
        };
        return block;
    }

    private static ModelConfigException Missing(string path, string field) => new(path, $"{Key}.{field}", "is missing");

    private static int? Int(JsonObject node, string field, string path)
    {
        string leaf = field[(field.LastIndexOf('.') + 1)..];
        return node[leaf] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out int i) => i,
            JsonValue v when v.TryGetValue(out double d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue => (int)d,
            _ => throw new ModelConfigException(path, $"{Key}.{field}", "must be an integer"),
        };
    }

    private static double? Double(JsonObject node, string field, string path)
    {
        string leaf = field[(field.LastIndexOf('.') + 1)..];
        return node[leaf] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out double d) => d,
            _ => throw new ModelConfigException(path, $"{Key}.{field}", "must be a number"),
        };
    }
}
