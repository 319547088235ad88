using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EvoMerge.Merging;
using EvoMerge.Merging.Methods;
using EvoMerge.Search.Routed;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Routed;
using TorchSharp;

namespace EvoMerge.Search.Genomes;

/// <summary>
/// Writes a <see cref="MergeCandidate"/> as mergekit-compatible YAML. Stage 1: <c>slices:</c>, one per layer group,
/// each source with its <c>layer_range</c> and per-model parameters; the embedding and head groups' values are
/// <c>{filter, value}</c> branches (<c>embed_tokens</c>; <c>lm_head</c> and <c>model.norm.</c>) in the first and last
/// slice. Which models a slice lists follows the method's <see cref="MethodSearchSupport.Inputs"/>: the base and the
/// sources (task-vector methods), the sources only (linear), or two sources with the first as base (slerp).
/// With <c>genome.filters</c>, each filter's values follow as a <c>{filter, value}</c> branch (after the embedding and
/// head branches, before the rest's value). With <c>genome.smooth</c>, one slice covers every layer and each value is
/// a gradient list of the layer groups' values (one control point per group; mergekit spreads them evenly, so layer
/// i of L gets the interpolation at t = i/(L−1)); a single group's list is written as the plain number, as
/// mergekit-evolve does. <c>genome.normalize</c>, when set, is written as the top-level <c>normalize</c> of methods
/// that declare it. Only parameters the method declares are written, so genes a method ignores do not change
/// the recipe (or its hash). Numbers are written in round-trip form, so the reader gets the exact doubles back.
/// A routed candidate (<c>genome.routed</c>) is the same recipe with <c>merge_method: routed</c> and a
/// <c>routed:</c> block (the backbone method, <c>rank</c> or for full rank <c>energy: 1</c>, the router settings),
/// and <c>proxy_tasks</c> always written (they make the router's prototypes), so <c>evomerge merge</c> builds it.
/// Stage 2 (layer ordering): passthrough, one single-layer slice per kept slot; Sakana's input scaling of a kept layer
/// is written as its residual-branch scale: in a pre-norm decoder, scaling the residual stream by s before layer i
/// equals scaling o_proj and down_proj of layer i (and every later layer) by 1/s, since RMSNorm is scale-invariant
/// and the final norm removes the common factor (exact up to RMSNorm's epsilon). So slot j's o_proj and down_proj
/// (Mixtral: every expert's w2; see <see cref="ResidualOutputProjections"/>) get <c>scale = 1 / (s_1·…·s_j)</c>
/// through mergekit's passthrough <c>scale</c> parameter with filters.
/// </summary>
public sealed class RecipeComposer
{
    private readonly GenomeLayout _layout;
    private readonly string _baseModel;
    private readonly IReadOnlyList<string> _sources;
    private readonly torch.ScalarType _dtype;
    private readonly ulong _mergeSeed;
    private readonly Func<string, IMergeMethod> _methods;
    private readonly IReadOnlyList<string>? _proxyTasks;
    private readonly int _proxyPrompts;
    private readonly IReadOnlyList<string> _residualOutputs;

    /// <param name="layout">The genome layout (groups and layer ranges).</param>
    /// <param name="baseModel">Full path of the base model.</param>
    /// <param name="sources">Full paths of the source models, in gene order.</param>
    /// <param name="dtype">The recipe's dtype (merge and output).</param>
    /// <param name="mergeSeed">The seed random merge methods draw from.</param>
    /// <param name="methods">Method lookup (default: <see cref="MergeMethodRegistry.Get"/>).</param>
    /// <param name="proxyTasks">Eval task YAML per source (full paths), written as proxy_tasks for methods that need proxy activations; null without.</param>
    /// <param name="proxyPrompts">Proxy prompts per task.</param>
    /// <param name="modelType">The models' model_type, for the filters of the residual-branch scale (<see cref="ResidualOutputProjections"/>).</param>
    public RecipeComposer(GenomeLayout layout, string baseModel, IReadOnlyList<string> sources, torch.ScalarType dtype, ulong mergeSeed,
        Func<string, IMergeMethod>? methods = null, IReadOnlyList<string>? proxyTasks = null, int proxyPrompts = 32, string modelType = "llama")
    {
        _residualOutputs = ResidualOutputProjections.Filters(modelType);
        _proxyTasks = proxyTasks;
        _proxyPrompts = proxyPrompts;
        _layout = layout;
        _baseModel = baseModel;
        _sources = sources;
        _dtype = dtype;
        _mergeSeed = mergeSeed;
        _methods = methods ?? MergeMethodRegistry.Default.Get;
    }

    /// <summary>The recipe of a decoded candidate; a layer ordering that keeps no layer is an <see cref="ArgumentException"/>.</summary>
    public CandidateRecipe Compose(MergeCandidate candidate)
    {
        string stage1 = ParameterSpace(candidate);
        string? stage2 = null;
        int layers = _layout.LayerCount;
        if (candidate.Slots is { } slots)
        {
            if (slots.Count == 0) throw new ArgumentException("the layer ordering keeps no layer");
            stage2 = DataFlow(slots);
            layers = slots.Count;
        }
        string identity = stage1 + "\0" + (stage2 ?? "") + "\0seed=" + _mergeSeed.ToString(CultureInfo.InvariantCulture);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
        return new CandidateRecipe(stage1, stage2, hash, _mergeSeed, layers, candidate.Slots?.Select(s => s.Slot).ToArray());
    }

    private string ParameterSpace(MergeCandidate candidate)
    {
        var method = _methods(candidate.Method);
        var declared = method.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var y = new StringBuilder();
        y.Append("# EvoMerge candidate, stage 1 (parameter space): one slice per layer group.\n");
        y.Append(Invariant($"# Reproduce: evomerge merge THIS_FILE OUT_DIR --seed {_mergeSeed}\n"));
        y.Append("merge_method: ").Append(candidate.Routed is null ? candidate.Method : RoutedMergeRecipe.MethodName).Append('\n');
        var inputs = method.Search?.Inputs
            ?? throw new ArgumentException($"merge method '{candidate.Method}' declares no search support");
        List<(string Path, int Source)> models;
        switch (inputs)
        {
            case SearchInputs.SourcesOnly:
                models = _sources.Select((p, i) => (p, i)).ToList();
                break;
            case SearchInputs.FirstSourceAsBase:
                y.Append("base_model: ").Append(Quote(_sources[0])).Append('\n');
                models = [(_sources[0], -1), (_sources[1], -1)];
                break;
            default:
                y.Append("base_model: ").Append(Quote(_baseModel)).Append('\n');
                models = [(_baseModel, -1), .. _sources.Select((p, i) => (p, i))];
                break;
        }
        y.Append("dtype: ").Append(DTypes.ToTorchName(_dtype)).Append('\n');
        if (_layout.Normalize is { } normalize && declared.Contains(NormalizeParameter))
            y.Append("parameters:\n  ").Append(NormalizeParameter).Append(": ").Append(normalize ? "true" : "false").Append('\n');
        if (candidate.Routed is { } routed) AppendRouted(y, candidate.Method, routed);
        if ((method.NeedsProxyActivations || candidate.Routed is not null) && _proxyTasks is { } tasks)
        {
            y.Append("proxy_tasks:\n");
            for (int i = 0; i < _sources.Count; i++) y.Append("  ").Append(Quote(_sources[i])).Append(": ").Append(Quote(tasks[i])).Append('\n');
            y.Append(Invariant($"proxy_prompts: {_proxyPrompts}\n"));
        }
        y.Append("slices:\n");
        int layerGroups = _layout.GroupCount - 2;
        List<(int Start, int End, int[] Points)> slices = _layout.Smooth
            ? [(0, _layout.LayerCount, Enumerable.Range(1, layerGroups).ToArray())]
            : Enumerable.Range(1, layerGroups).Select(g => (_layout.LayerRange(g).Start, _layout.LayerRange(g).End, new[] { g })).ToList();
        foreach (var (start, end, points) in slices)
        {
            int g = points[0];
            bool first = g == 1, last = points[^1] == layerGroups;
            y.Append("  - sources:\n");
            foreach (var (path, source) in models)
            {
                y.Append("      - model: ").Append(Quote(path)).Append('\n');
                y.Append(Invariant($"        layer_range: [{start}, {end}]\n"));
                if (source < 0) continue;
                var names = candidate.Groups[g].PerModel[source].Keys.Where(declared.Contains).ToList();
                if (names.Count == 0) continue;
                y.Append("        parameters:\n");
                foreach (string name in names)
                    AppendSetting(y, "          ", name, candidate, points, first, last, p => p.PerModel[source][name]);
            }
            var globals = candidate.Groups[g].Global.Keys.Where(declared.Contains).ToList();
            if (globals.Count > 0)
            {
                y.Append("    parameters:\n");
                foreach (string name in globals)
                    AppendSetting(y, "      ", name, candidate, points, first, last, p => p.Global[name]);
            }
        }
        return y.ToString();
    }

    /// <summary>
    /// One parameter: a plain value (or gradient list over the <paramref name="points"/> groups), or filter branches —
    /// the embedding/head groups' values, then each <c>genome.filters</c> set's (its filter quoted) — followed by the rest's value.
    /// </summary>
    private void AppendSetting(StringBuilder y, string indent, string name, MergeCandidate candidate, int[] points, bool first, bool last,
        Func<GroupParameters, double> value)
    {
        double[] own = [.. points.Select(g => value(candidate.Groups[g]))];
        var branches = new List<(string Filter, double[] Values)>();
        if (first) branches.Add(("embed_tokens", [value(candidate.Groups[0])]));
        if (last)
        {
            double head = value(candidate.Groups[_layout.GroupCount - 1]);
            branches.Add(("lm_head", [head]));
            branches.Add(("model.norm.", [head]));
        }
        var filtered = candidate.Groups[points[0]].Filtered;
        for (int k = 0; k < filtered.Count; k++)
            branches.Add((Quote(filtered[k].Filter), [.. points.Select(g => value(candidate.Groups[g].Filtered[k].Values))]));
        if (branches.All(b => b.Values.SequenceEqual(own)))
        {
            y.Append(indent).Append(name).Append(": ").Append(Values(own)).Append('\n');
            return;
        }
        y.Append(indent).Append(name).Append(":\n");
        foreach (var (filter, v) in branches)
        {
            y.Append(indent).Append("  - filter: ").Append(filter).Append('\n');
            y.Append(indent).Append("    value: ").Append(Values(v)).Append('\n');
        }
        y.Append(indent).Append("  - value: ").Append(Values(own)).Append('\n');
    }

    /// <summary>The <c>routed:</c> block of a routed candidate (<see cref="RoutedMergeRecipe"/>).</summary>
    private void AppendRouted(StringBuilder y, string backbone, RoutedExpertChoice routed)
    {
        var settings = _layout.Routed ?? throw new ArgumentException("a routed candidate needs genome.routed");
        if (_proxyTasks is null) throw new ArgumentException("a routed candidate needs merge.proxy_tasks");
        y.Append("routed:\n");
        y.Append("  backbone: ").Append(backbone).Append('\n');
        y.Append(routed.Rank is { } rank ? Invariant($"  rank: {rank}\n") : "  energy: 1\n");
        y.Append("  router:\n");
        y.Append(Invariant($"    layer: {settings.Layer}\n"));
        y.Append("    temperature: ").Append(Number(routed.Temperature)).Append('\n');
        y.Append("    granularity: ").Append(settings.Granularity == RoutingGranularity.Token ? "token" : "sequence").Append('\n');
        y.Append(Invariant($"    top_k: {settings.TopK}\n"));
    }

    /// <summary>The top-level flag <c>genome.normalize</c> sets.</summary>
    private const string NormalizeParameter = "normalize";

    /// <summary>One value as a number, several as a gradient list "[a, b, c]".</summary>
    private static string Values(double[] values) =>
        values.Length == 1 ? Number(values[0]) : "[" + string.Join(", ", values.Select(Number)) + "]";

    private string DataFlow(IReadOnlyList<LayerSlot> slots)
    {
        var y = new StringBuilder();
        y.Append("# EvoMerge candidate, stage 2 (data-flow space): the kept layer slots in order.\n");
        y.Append(Invariant($"# '{CandidateRecipe.MergedModelName}' is stage 1's output beside this file. Reproduce: evomerge merge {CandidateRecipe.ParameterSpaceFileName} {CandidateRecipe.MergedModelName} --seed {_mergeSeed}, then evomerge merge THIS_FILE OUT_DIR\n"));
        y.Append(Invariant($"# A kept layer's input scale s is written as scale 1/(product of s so far) on {string.Join(" and ", _residualOutputs)}.\n"));
        y.Append("merge_method: ").Append(PassthroughMerge.MethodName).Append('\n');
        y.Append("dtype: ").Append(DTypes.ToTorchName(_dtype)).Append('\n');
        y.Append("slices:\n");
        double product = 1.0;
        foreach (var slot in slots)
        {
            product *= slot.InputScale;
            double scale = 1.0 / product;
            string model = slot.Origin == LayerSlot.MergedOrigin ? CandidateRecipe.MergedModelName : Quote(_sources[slot.Origin]);
            y.Append(Invariant($"  - sources:  # slot {slot.Slot}, input scale {Number(slot.InputScale)}\n"));
            y.Append("      - model: ").Append(model).Append('\n');
            y.Append(Invariant($"        layer_range: [{slot.Layer}, {slot.Layer + 1}]\n"));
            if (scale == 1.0) continue;
            y.Append("        parameters:\n          scale:\n");
            foreach (string filter in _residualOutputs)
            {
                y.Append("            - filter: ").Append(filter).Append('\n');
                y.Append("              value: ").Append(Number(scale)).Append('\n');
            }
        }
        return y.ToString();
    }

    private static string Quote(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
