using System.Globalization;
using System.Text;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// The human-readable account of a plan that <c>evomerge merge --dry-run</c> prints: the slices, then one row per
/// tensor group (embeddings; each layer's attention, mlp and norm tensors; head) with the resolved parameters, runs
/// of layers with identical rows collapsed into one, and the estimated peak memory.
/// </summary>
public static class MergePlanSummary
{
    private const int AllGroups = 4;

    private static readonly string[] LayerGroups = ["attention", "mlp", "norms", "other", "all"];

    /// <summary>The full report.</summary>
    public static string Describe(MergePlan plan)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var recipe = plan.Recipe;
        text.AppendLine(inv, $"recipe       {recipe.File} (merge_method {plan.Method.Name})");
        text.AppendLine(inv, $"output       {plan.LayerCount} layers, {plan.Tensors.Count} tensors, config from '{plan.ConfigDonor.Name}', tokenizer from '{plan.TokenizerDonor.Name}'");
        if (plan.Vocabulary is { } vocabulary)
            text.AppendLine(inv, $"vocabulary   {vocabulary.Settings.Kind.ToString().ToLowerInvariant()}: {vocabulary.Tokens.Count} tokens ({vocabulary.NewAdded.Count} added), {vocabulary.RowCount} embedding rows");
        foreach (string warning in plan.VocabularyWarnings) text.AppendLine(inv, $"warning      {warning}");
        var first = plan.Tensors[0];
        text.AppendLine(inv, $"dtypes       compute {DTypes.ToTorchName(first.ComputeDType)}, written {DTypes.ToTorchName(first.OutputDType)}");
        text.AppendLine("slices");
        for (int s = 0; s < plan.Slices.Count; s++)
        {
            var slice = plan.Slices[s];
            string sources = string.Join(", ", slice.Recipe.Sources.Select((source, i) => $"{source.Model.Name} {slice.Ranges[i]}"));
            text.AppendLine(inv, $"  {s,-3} {LayerSpan(slice.OutputStart, slice.OutputStart + slice.Length - 1, slice.Length == 0),-14} <- {sources}{(slice.BaseModel is { } b ? $" (base {b.Name})" : "")}{(slice.Recipe.Module is { } m ? $" [module {m.Name}]" : "")}");
        }
        text.AppendLine("tensors");
        foreach (var (label, group, description) in Rows(plan))
            text.AppendLine(inv, $"  {label,-14} {group,-10} {description}");
        text.AppendLine(inv, $"peak memory  {EstimateText(plan)}");
        return text.ToString();
    }

    /// <summary>
    /// Estimated peak bytes for tensor data: the largest tensor × (inputs + 2) in the compute dtype (one buffer per
    /// input, the method's result and its temporaries), plus the staging buffer for stored→compute conversion and
    /// the output cast buffer when those dtypes differ. Shards are streamed, so there is no shard buffer.
    /// </summary>
    public static long EstimatePeakBytes(MergePlan plan) => plan.Tensors.Count == 0 ? 0 : plan.Tensors.Max(TensorPeak);

    private static long TensorPeak(PlannedTensor t)
    {
        long elements = t.ElementCount;
        int compute = DTypes.FromScalarType(t.ComputeDType).SizeOf();
        long bytes = elements * (t.InputCount + 2) * compute;
        var stored = t.Inputs.Select(i => i.Model.Directory.Weights.Info(i.TensorName).DType.ToScalarType()).Where(d => d != t.ComputeDType).Distinct();
        bytes += stored.Sum(d => elements * DTypes.FromScalarType(d).SizeOf());
        if (t.OutputDType != t.ComputeDType) bytes += elements * DTypes.FromScalarType(t.OutputDType).SizeOf();
        return bytes;
    }

    private static string EstimateText(MergePlan plan)
    {
        if (plan.Tensors.Count == 0) return "0 B";
        var largest = plan.Tensors.MaxBy(TensorPeak)!;
        return $"~{Bytes(EstimatePeakBytes(plan))} of tensor data (largest: '{largest.Name}' [{string.Join(", ", largest.Shape)}] " +
            $"× ({largest.InputCount} inputs + 2) in {DTypes.ToTorchName(largest.ComputeDType)}, plus dtype conversion buffers; shards are streamed, no shard buffer)";
    }

    private static IEnumerable<(string Label, string Group, string Description)> Rows(MergePlan plan)
    {
        foreach (var t in plan.Tensors.Where(t => t.Role.Group == TensorGroup.Embedding).GroupBy(_ => 0))
            yield return ("embeddings", "", Describe(plan, t.ToList()));

        var layers = plan.Tensors.Where(t => t.Role.Group == TensorGroup.Layer).GroupBy(t => t.Role.Layer).OrderBy(g => g.Key)
            .Select(layer => (Index: layer.Key, Groups: LayerRows(plan, layer.ToList()))).ToList();
        var rows = new List<(int Start, int End, int Group, string Description)>();
        for (int g = 0; g < LayerGroups.Length; g++)
        {
            (int Start, int End, string Description)? run = null;
            foreach (var (index, groups) in layers)
            {
                if (!groups.TryGetValue(g, out string? description)) continue;
                if (run is { } r && r.Description == description && r.End == index - 1)
                {
                    run = (r.Start, index, description);
                    continue;
                }
                if (run is { } done) rows.Add((done.Start, done.End, g, done.Description));
                run = (index, index, description);
            }
            if (run is { } last) rows.Add((last.Start, last.End, g, last.Description));
        }
        foreach (var row in rows.OrderBy(r => r.Start).ThenBy(r => r.Group))
            yield return (LayerSpan(row.Start, row.End, false), LayerGroups[row.Group], row.Description);

        foreach (var t in plan.Tensors.Where(t => t.Role.Group == TensorGroup.Head).GroupBy(_ => 0))
            yield return ("head", "", Describe(plan, t.ToList()));
    }

    /// <summary>A layer's description per group; a layer whose groups all resolve alike is one "all" row.</summary>
    private static Dictionary<int, string> LayerRows(MergePlan plan, List<PlannedTensor> tensors)
    {
        var groups = tensors.GroupBy(t => GroupOf(t.Role.LocalName)).ToDictionary(g => g.Key, g => Describe(plan, g.ToList()));
        return groups.Count > 1 && groups.Values.Distinct().Count() == 1 ? new() { [AllGroups] = groups.Values.First() } : groups;
    }

    private static int GroupOf(string localName) =>
        localName.StartsWith("self_attn.", StringComparison.Ordinal) ? 0
        : localName.StartsWith("mlp.", StringComparison.Ordinal) ? 1
        : localName.Contains("norm", StringComparison.Ordinal) ? 2
        : 3;

    /// <summary>One description when all members resolve alike, else "names: description" per distinct resolution.</summary>
    private static string Describe(MergePlan plan, List<PlannedTensor> members)
    {
        var distinct = members.GroupBy(t => Resolution(plan, t)).ToList();
        if (distinct.Count == 1) return distinct[0].Key;
        return string.Join(" | ", distinct.Select(d => $"{string.Join(",", d.Select(t => ShortName(t.Role.LocalName)))}: {d.Key}"));
    }

    private static string ShortName(string localName)
    {
        string[] parts = localName.Split('.');
        return parts.Length >= 2 ? parts[^2] : localName;
    }

    private static string Resolution(MergePlan plan, PlannedTensor t)
    {
        var parts = new List<string> { plan.Method.Name };
        parts.AddRange(Values(plan, t.Global));
        if (t.Base is { } b) parts.Add($"base {b.Model.Name}");
        parts.Add(string.Join(", ", t.Models.Select(m =>
        {
            var values = Values(plan, m.Parameters).ToList();
            return values.Count == 0 ? m.Model.Name : $"{m.Model.Name}({string.Join(" ", values)})";
        })));
        return string.Join("  ", parts);
    }

    private static IEnumerable<string> Values(MergePlan plan, ParameterValues values) =>
        plan.Method.Parameters.Where(p => values.Has(p.Name)).Select(p => $"{p.Name}={ParameterResolver.Format(p, values.Get(p.Name))}");

    private static string LayerSpan(int start, int end, bool empty) =>
        empty ? "(no layers)" : start == end ? $"layer {start}" : $"layers {start}-{end}";

    private static string Bytes(long n) => n switch
    {
        >= 1L << 30 => (n / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (n / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (n / (double)(1L << 10)).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => n.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
