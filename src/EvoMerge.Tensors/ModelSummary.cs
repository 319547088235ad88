using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EvoMerge.Tensors;

/// <summary>What <c>evomerge inspect</c> reports about a model directory: shape, parameter counts per dtype, shards and bytes.</summary>
public sealed partial record ModelSummary(
    string Path, string ModelType, string? Architecture, int Layers, int HiddenSize, int IntermediateSize,
    int Heads, int KeyValueHeads, int HeadDim, int VocabSize, bool TiedEmbeddings, string? ConfigDtype,
    long Parameters, IReadOnlyDictionary<string, long> ParametersByDtype, IReadOnlyList<ShardSummary> Shards, long TotalBytes,
    IReadOnlyList<string> AuxiliaryFiles)
{
    [GeneratedRegex(@"\.experts\.\d+\.", RegexOptions.CultureInvariant)]
    private static partial Regex ExpertIndex();

    /// <summary>The family (<see cref="ArchitectureCatalog"/>), or a note on why the model cannot be merged.</summary>
    public string Family { get; init; } = "";

    /// <summary>Prefix of layer tensors with the index as "{i}", or null when the layout is unknown.</summary>
    public string? LayerPrefix { get; init; }

    /// <summary>One layer's tensor names relative to <see cref="LayerPrefix"/>, expert tensors once with "{e}".</summary>
    public IReadOnlyList<string> LayerTensors { get; init; } = [];

    /// <summary>
    /// Every layer module as "PREFIX.N. (L layers, T tensors)" when there are several (an inferred multimodal layout:
    /// text decoder, vision tower), else empty; <see cref="LayerPrefix"/> and <see cref="LayerTensors"/> describe the first.
    /// </summary>
    public IReadOnlyList<string> Modules { get; init; } = [];

    /// <summary>Experts per layer (0 for dense models).</summary>
    public int Experts { get; init; }

    /// <summary>True when EvoMerge's decoder runs the family (search and eval); every known family merges.</summary>
    public bool Evaluable { get; init; }

    /// <summary>Family-specific config fields in effect (see <see cref="FamilyConfigFields"/>).</summary>
    public IReadOnlyList<string> FamilyConfig { get; init; } = [];

    /// <summary>The routed-experts block of a routed model (docs/routed-merges.md), or null for a plain model.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public EvoMerge.Tensors.Routed.RoutedSummary? Routed { get; init; }

    /// <summary>The summary of an opened model directory (opened with <see cref="ModelDirectory.OpenRoutedAware"/>: a routed model's block is summarized too).</summary>
    public static ModelSummary Of(ModelDirectory model)
    {
        var c = model.Config;
        var weights = model.Weights;
        var byDtype = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (string name in weights.Names)
        {
            var info = weights.Info(name);
            string key = info.DType.ToSafetensorsName();
            byDtype[key] = byDtype.GetValueOrDefault(key) + info.ElementCount;
        }
        var shards = weights.ShardFiles.Select(s =>
        {
            var file = weights.FileOf(weights.Names.First(n => weights.FileOf(n).Path.EndsWith(s, StringComparison.Ordinal)));
            return new ShardSummary(s, file.Tensors.Count, file.Length);
        }).ToList();
        var summary = new ModelSummary(model.Path, c.ModelType, c.Architecture, c.NumHiddenLayers, c.HiddenSize, c.IntermediateSize,
            c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim, c.VocabSize, c.TieWordEmbeddings, c.TorchDtype,
            weights.ParameterCount, byDtype, shards, weights.TotalBytes, model.AuxiliaryFiles)
        {
            FamilyConfig = FamilyConfigFields.Of(c, model.ConfigPath), Routed = EvoMerge.Tensors.Routed.RoutedSummary.Of(model),
        };
        try
        {
            var layout = model.MergeLayout;
            string prefix = layout.LayerPrefix.Replace("{i}", "0", StringComparison.Ordinal);
            return summary with
            {
                Family = layout.FamilyName + (layout.Warning is null ? "" : layout.LayerPrefix == "model.layers.{i}." && layout.Modules.Count == 1
                    ? " (unknown model_type, standard layout)" : " (unknown model_type, layout inferred from tensor names)"),
                Modules = layout.Modules.Count < 2 ? [] : layout.Modules
                    .Select(m => $"{m.LayerPrefix.Replace("{i}", "N", StringComparison.Ordinal)} ({m.LayerCount} layers, {m.LayerTemplate.Count} tensors)").ToArray(),
                LayerPrefix = layout.LayerPrefix,
                LayerTensors = layout.LayerTemplate.Select(t => ExpertIndex().Replace(DecoderLayout.LayerName(t, 0)[prefix.Length..], ".experts.{e}.")).Distinct().ToArray(),
                Experts = layout.ExpertCount,
                Evaluable = layout.Evaluable,
            };
        }
        catch (ModelConfigException e)
        {
            return summary with { Family = $"(not mergeable: {e.Message})" };
        }
    }


    /// <summary>The summary as indented snake_case JSON (what <c>inspect --json</c> prints).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json) + Environment.NewLine;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The summary as aligned text lines (what <c>inspect</c> prints).</summary>
    public string ToText()
    {
        var s = this;
        var inv = CultureInfo.InvariantCulture;
        var w = new StringWriter(inv);
        w.WriteLine($"model          {s.Path}");
        w.WriteLine($"architecture   {s.Architecture ?? "(none)"} (model_type {s.ModelType})");
        w.WriteLine($"family         {s.Family}{(s.LayerPrefix is null ? "" : $", layers under {s.LayerPrefix}")}{(s.Evaluable ? "" : ", merge and inspect only (no eval)")}");
        w.WriteLine($"layers         {s.Layers}, hidden {s.HiddenSize}, intermediate {s.IntermediateSize}");
        if (s.LayerPrefix is not null) w.WriteLine($"layer tensors  {s.LayerTensors.Count}: {string.Join(", ", s.LayerTensors)}");
        if (s.Modules.Count > 0) w.WriteLine($"modules        {s.Modules.Count}: {string.Join(", ", s.Modules)}");
        if (s.Experts > 0) w.WriteLine($"experts        {s.Experts} per layer");
        if (s.FamilyConfig.Count > 0) w.WriteLine($"family config  {string.Join(", ", s.FamilyConfig)}");
        w.WriteLine($"attention      {s.Heads} heads, {s.KeyValueHeads} kv heads, head_dim {s.HeadDim}");
        w.WriteLine($"vocab          {s.VocabSize}{(s.TiedEmbeddings ? ", tied embeddings" : "")}");
        w.WriteLine($"parameters     {s.Parameters.ToString("N0", inv)} ({HumanCount(s.Parameters)})");
        w.WriteLine($"dtypes         {string.Join(", ", s.ParametersByDtype.Select(p => $"{p.Key}: {p.Value.ToString("N0", inv)}"))}{(s.ConfigDtype is null ? "" : $" (config torch_dtype {s.ConfigDtype})")}");
        w.WriteLine($"shards         {s.Shards.Count}");
        foreach (var shard in s.Shards) w.WriteLine($"  {shard.File,-40} {shard.Tensors,5} tensors {HumanBytes(shard.Bytes),12}");
        w.WriteLine($"total bytes    {s.TotalBytes.ToString("N0", inv)} ({HumanBytes(s.TotalBytes)})");
        w.WriteLine($"other files    {(s.AuxiliaryFiles.Count == 0 ? "(none)" : string.Join(", ", s.AuxiliaryFiles))}");
        if (s.Routed is not null) w.Write(s.Routed.ToText());
        return w.ToString();
    }

    private static string HumanCount(long n) => n switch
    {
        >= 1_000_000_000 => (n / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + "B",
        >= 1_000_000 => (n / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (n / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "K",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };

    private static string HumanBytes(long n) => n switch
    {
        >= 1L << 30 => (n / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (n / (double)(1L << 20)).ToString("0.00", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (n / (double)(1L << 10)).ToString("0.00", CultureInfo.InvariantCulture) + " KiB",
        _ => n.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
