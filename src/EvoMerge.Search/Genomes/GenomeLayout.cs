using System.Globalization;
using EvoMerge.Merging;
using EvoMerge.Merging.Methods;
using EvoMerge.Search.Configuration;
using EvoMerge.Optimization;

namespace EvoMerge.Search.Genomes;

/// <summary>
/// Where each gene sits and what it means, derived from the genes the allowed methods declare
/// (<see cref="MergeParameter.Gene"/>, collected by <see cref="MergeMethodRegistry.Genes"/> in declaration order).
/// Real genes, in order: for each group (embeddings, the <c>layer_groups</c> contiguous layer groups, final norm and
/// head) and each source model, the per-model genes any allowed method declares; then the global genes any allowed
/// method declares, each once per group; then, with a layer ordering, one input-scale gene per slot. With
/// <c>genome.filters</c>, every layer group holds one parameter set per filter and one for the remaining tensors
/// (mergekit-evolve's order: the filters, then the rest), so "per group" reads "per group and set" above: per-model
/// genes go group, model, set, gene; global genes go gene, group, set. The embedding and head groups keep one set.
/// With <c>genome.smooth</c>, the layer groups are the control points of a gradient (see <see cref="RecipeComposer"/>). With the
/// built-in methods that is weight, density, epsilon, gamma per model and t, alpha, common_space_fraction,
/// scaling_power per group. With <c>genome.routed</c>, one more real gene last, the router temperature (log scale),
/// when its range is wider than one value. Categorical genes: the method (when more than one is allowed; with
/// <c>genome.routed</c> the backbone's), then per slot its origin (0 = skip, 1 = the merged model, 1 + k = source
/// model k), then with <c>genome.routed</c> the experts' rank (when more than one is listed). Genes in [0, 1] map
/// linearly to the configured ranges, or to the declared ones.
/// </summary>
public sealed class GenomeLayout
{
    private readonly GenomeConfig _config;
    private readonly IMergeMethod[] _methods;
    private readonly DeclaredGene[] _perModelGenes;
    private readonly DeclaredGene[] _globalGenes;
    private readonly int _globalStart;
    private readonly int _scaleStart;
    private readonly int[] _setOffset;
    private readonly int _setCount;
    private readonly bool _allowNegative;

    /// <summary>
    /// The layout for <paramref name="sourceCount"/> source models of <paramref name="layerCount"/> layers, the
    /// methods looked up in <paramref name="methods"/> (default: <see cref="MergeMethodRegistry.Default"/>).
    /// </summary>
    public GenomeLayout(GenomeConfig config, int sourceCount, int layerCount, MergeMethodRegistry? methods = null)
    {
        if (config.LayerGroups > layerCount)
            throw new ArgumentException($"genome.layer_groups is {config.LayerGroups} but the models have only {layerCount} layers");
        methods ??= MergeMethodRegistry.Default;
        _config = config;
        _methods = [.. config.Methods.Select(methods.Get)];
        SourceCount = sourceCount;
        LayerCount = layerCount;
        var used = methods.Genes.Where(g => g.Methods.Any(config.Methods.Contains)).ToArray();
        _perModelGenes = [.. used.Where(g => g.Scope == ParameterScope.PerModel)];
        _globalGenes = [.. used.Where(g => g.Scope == ParameterScope.Global)];
        _setOffset = new int[GroupCount];
        for (int g = 1; g < GroupCount; g++) _setOffset[g] = _setOffset[g - 1] + SetCount(g - 1);
        _setCount = _setOffset[^1] + SetCount(GroupCount - 1);
        _globalStart = _setCount * sourceCount * _perModelGenes.Length;
        _scaleStart = _globalStart + _setCount * _globalGenes.Length;
        _allowNegative = config.AllowNegativeWeights ?? NegativeWeightNames.Any(n => config.Ranges.Configured.TryGetValue(n, out var range) && range.Low < 0);
        SlotCount = config.LayerOrdering is { } ordering ? ordering.Repeats * layerCount : 0;
        if (config.Routed is not null && SlotCount > 0) throw new ArgumentException("genome.routed cannot be combined with genome.layer_ordering");
        var categories = new List<int>();
        if (config.Methods.Count > 1) categories.Add(config.Methods.Count);
        for (int i = 0; i < SlotCount; i++) categories.Add(2 + sourceCount);
        if (config.Routed is { RankIsGene: true } rankGene) categories.Add(rankGene.Ranks.Count);
        Space = new GeneSpace(_scaleStart + SlotCount + (config.Routed is { TemperatureIsGene: true } ? 1 : 0), categories);
    }

    /// <summary>The gene space the optimizer searches.</summary>
    public GeneSpace Space { get; }

    /// <summary>Number of source models.</summary>
    public int SourceCount { get; }

    /// <summary>Number of layers of the models.</summary>
    public int LayerCount { get; }

    /// <summary>Groups with their own genes: embeddings, the layer groups, final norm and head.</summary>
    public int GroupCount => _config.LayerGroups + 2;

    /// <summary>Layer slots of the data-flow space (0 without a layer ordering).</summary>
    public int SlotCount { get; }

    /// <summary>Number of layers the in-memory candidate model needs: the slot count, or L without a layer ordering.</summary>
    public int ModelLayerCount => SlotCount > 0 ? SlotCount : LayerCount;

    /// <summary>Parameter sets of group <paramref name="group"/>: one per filter plus the rest in layer groups, one in the embedding and head groups.</summary>
    public int SetCount(int group) => group == 0 || group == GroupCount - 1 ? 1 : _config.Filters.Count + 1;

    /// <summary>The name of set <paramref name="set"/> of group <paramref name="group"/>: its filter, "rest" for the remaining tensors, or null when the group has one set.</summary>
    public string? SetName(int group, int set) =>
        SetCount(group) == 1 ? null : set < _config.Filters.Count ? _config.Filters[set] : RestSetName;

    /// <summary>The name <see cref="GeneNames"/> gives the set of the tensors no filter matches.</summary>
    public const string RestSetName = "rest";

    /// <summary>The parameters (per-model weight, slerp's global t) mergekit-evolve keeps non-negative unless negative weights are allowed.</summary>
    private static readonly string[] NegativeWeightNames = ["weight", "t"];

    /// <summary>The layers [Start, End) of layer group <paramref name="group"/> (1..layer_groups), near-equal contiguous parts.</summary>
    public (int Start, int End) LayerRange(int group)
    {
        int g = group - 1, groups = _config.LayerGroups;
        return (g * LayerCount / groups, (g + 1) * LayerCount / groups);
    }

    /// <summary>A readable name for every gene (real genes first, then categorical), for reports.</summary>
    public IReadOnlyList<string> GeneNames()
    {
        var names = new List<string>();
        string Set(int g, int k) => SetName(g, k) is { } set ? "." + set : "";
        for (int g = 0; g < GroupCount; g++)
            for (int s = 0; s < SourceCount; s++)
                for (int k = 0; k < SetCount(g); k++)
                    foreach (var p in _perModelGenes) names.Add($"{GroupName(g)}.model{s}{Set(g, k)}.{p.Name}");
        foreach (var p in _globalGenes)
            for (int g = 0; g < GroupCount; g++)
                for (int k = 0; k < SetCount(g); k++) names.Add($"{GroupName(g)}{Set(g, k)}.{p.Name}");
        for (int i = 0; i < SlotCount; i++) names.Add($"slot{i}.input_scale");
        if (_config.Routed is { TemperatureIsGene: true }) names.Add(RoutedTemperatureGene);
        if (_config.Methods.Count > 1) names.Add(_config.Routed is null ? "method" : "routed.backbone");
        for (int i = 0; i < SlotCount; i++) names.Add($"slot{i}.origin");
        if (_config.Routed is { RankIsGene: true }) names.Add(RoutedRankGene);
        return names;
    }

    /// <summary>
    /// "embeddings", "layers[a,b)" or "head"; with <c>genome.smooth</c> and several layer groups, a control point is
    /// named by the layer position where the gradient takes its value, "layers@x" (x from 0 to L−1).
    /// </summary>
    public string GroupName(int group) => group == 0 ? "embeddings" : group == GroupCount - 1 ? "head"
        : _config.Smooth && _config.LayerGroups > 1
            ? string.Create(CultureInfo.InvariantCulture, $"layers@{ControlPointLayer(group):0.###}")
            : string.Create(CultureInfo.InvariantCulture, $"layers[{LayerRange(group).Start},{LayerRange(group).End})");

    /// <summary>With <c>genome.smooth</c>: the layer position of control point <paramref name="group"/> (1..layer_groups), (group − 1)·(L − 1)/(layer_groups − 1).</summary>
    public double ControlPointLayer(int group) =>
        _config.LayerGroups == 1 ? 0 : (group - 1) * (LayerCount - 1) / (double)(_config.LayerGroups - 1);

    /// <summary>Whether the layer groups are gradient control points (<c>genome.smooth</c>).</summary>
    public bool Smooth => _config.Smooth;

    /// <summary>The configured <c>genome.normalize</c>, or null for the method's default.</summary>
    public bool? Normalize => _config.Normalize;

    /// <summary>Config <c>genome.routed</c>, or null when candidates are static merges.</summary>
    public RoutedGenomeConfig? Routed => _config.Routed;

    /// <summary>Decodes a genome of <see cref="Space"/>.</summary>
    public MergeCandidate Decode(Genome genome)
    {
        Space.Validate(genome);
        int category = 0;
        var method = _config.Methods.Count > 1 ? _methods[genome.Categories[category++]] : _methods[0];
        var used = method.Parameters.Where(p => p.Gene is not null).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var groups = new List<GroupParameters>(GroupCount);
        for (int g = 0; g < GroupCount; g++)
        {
            int rest = SetCount(g) - 1;
            var filtered = new List<FilterParameters>(rest);
            for (int k = 0; k < rest; k++) filtered.Add(new FilterParameters(_config.Filters[k], DecodeSet(genome, method, used, g, k)));
            groups.Add(DecodeSet(genome, method, used, g, rest) with { Filtered = filtered });
        }
        List<LayerSlot>? slots = null;
        if (SlotCount > 0)
        {
            slots = [];
            var scale = _config.LayerOrdering!.Scale;
            for (int i = 0; i < SlotCount; i++)
            {
                int origin = genome.Categories[category + i];
                if (origin == 0) continue;
                slots.Add(new LayerSlot(i, i % LayerCount, origin == 1 ? LayerSlot.MergedOrigin : origin - 2, scale.Map(genome.Reals[_scaleStart + i])));
            }
        }
        RoutedExpertChoice? routed = null;
        if (_config.Routed is { } r)
        {
            int rank = r.RankIsGene ? genome.Categories[category + SlotCount] : 0;
            routed = new RoutedExpertChoice(r.Ranks[rank], r.Temperature(r.TemperatureIsGene ? genome.Reals[_scaleStart + SlotCount] : 0.0));
        }
        return new MergeCandidate(method.Name, groups, slots) { Routed = routed };
    }

    /// <summary>The name <see cref="GeneNames"/> gives the router temperature gene.</summary>
    public const string RoutedTemperatureGene = "routed.temperature";

    /// <summary>The name <see cref="GeneNames"/> gives the experts' rank gene.</summary>
    public const string RoutedRankGene = "routed.rank";

    /// <summary>
    /// The values of set <paramref name="set"/> of group <paramref name="group"/> for the parameters in
    /// <paramref name="used"/>, each model's moved into the method's domain (<see cref="IMergeMethod.Feasible"/>).
    /// </summary>
    private GroupParameters DecodeSet(Genome genome, IMergeMethod method, HashSet<string> used, int group, int set)
    {
        var perModel = new List<IReadOnlyDictionary<string, double>>(SourceCount);
        for (int s = 0; s < SourceCount; s++)
        {
            var values = new SortedDictionary<string, double>(StringComparer.Ordinal);
            for (int p = 0; p < _perModelGenes.Length; p++)
            {
                var gene = _perModelGenes[p];
                if (used.Contains(gene.Name)) values[gene.Name] = Value(gene, genome.Reals[PerModelGene(group, s, set, p)]);
            }
            perModel.Add(method.Feasible(values));
        }
        var global = new SortedDictionary<string, double>(StringComparer.Ordinal);
        for (int p = 0; p < _globalGenes.Length; p++)
        {
            var gene = _globalGenes[p];
            if (used.Contains(gene.Name)) global[gene.Name] = Value(gene, genome.Reals[_globalStart + p * _setCount + _setOffset[group] + set]);
        }
        return new GroupParameters(perModel, global);
    }

    /// <summary>A gene mapped to its range; weights and t folded to their absolute value unless negative weights are allowed.</summary>
    private double Value(DeclaredGene gene, double real)
    {
        double value = Range(gene).Map(real);
        return !_allowNegative && NegativeWeightNames.Contains(gene.Name) ? Math.Abs(value) : value;
    }

    /// <summary>
    /// With <c>genome.random_init</c>, the genome CMA-ES starts from: every gene uniform in [0, 1] (categories uniform),
    /// drawn from <paramref name="seed"/>; null without it.
    /// </summary>
    public Genome? RandomStart(ulong seed) => _config.RandomInit ? Space.RandomGenome(new SearchRandom(seed)) : null;

    /// <summary>
    /// Genomes worth placing in the first generation: with a layer ordering, the plain merge (first repetition taken
    /// from the merged model, every input scale 1, merge genes at the middle of their ranges); then one uniform
    /// task-arithmetic merge per <c>genome.seed_weights</c> value; then, with <c>genome.seed_sources</c>, each source
    /// alone (task arithmetic, that source at weight 1, the others at 0). None when nothing is configured.
    /// </summary>
    public IReadOnlyList<Genome> SeedGenomes()
    {
        var seeds = new List<Genome>();
        if (SlotCount > 0) seeds.Add(PlainGenome(null));
        foreach (double weight in _config.SeedWeights) seeds.Add(PlainGenome(weight));
        if (_config.SeedSources)
            for (int s = 0; s < SourceCount; s++)
                seeds.Add(PlainGenome(Enumerable.Range(0, SourceCount).Select(k => k == s ? 1.0 : 0.0).ToArray()));
        return seeds;
    }

    /// <summary>The uniform task-arithmetic genome: every source at <paramref name="uniformWeight"/>.</summary>
    private Genome PlainGenome(double uniformWeight) => PlainGenome(Enumerable.Repeat(uniformWeight, SourceCount).ToArray());

    /// <summary>
    /// Merge genes at the middle of their ranges (or, with <paramref name="sourceWeights"/>, method task_arithmetic and
    /// every weight gene of source s at <c>sourceWeights[s]</c> in every group); with a layer ordering, the plain layer
    /// stack at input scale 1.
    /// </summary>
    private Genome PlainGenome(double[]? sourceWeights)
    {
        var reals = Enumerable.Repeat(0.5, Space.RealCount).ToArray();
        for (int i = 0; i < SlotCount; i++) reals[_scaleStart + i] = _config.LayerOrdering!.Scale.Unmap(1.0);
        var categories = new int[Space.CategoryGeneCount];
        int first = _config.Methods.Count > 1 ? 1 : 0;
        for (int i = 0; i < SlotCount; i++) categories[first + i] = i < LayerCount ? 1 : 0;
        if (sourceWeights is not null)
        {
            if (first == 1) categories[0] = _config.Methods.ToList().IndexOf(TaskArithmeticMerge.MethodName);
            int weight = Array.FindIndex(_perModelGenes, g => g.Name == SeedWeightGene);
            for (int g = 0; g < GroupCount; g++)
                for (int s = 0; s < SourceCount; s++)
                    for (int k = 0; k < SetCount(g); k++)
                        reals[PerModelGene(g, s, k, weight)] = Range(_perModelGenes[weight]).Unmap(sourceWeights[s]);
        }
        return new Genome(reals, categories);
    }

    /// <summary>Index of per-model gene <paramref name="parameter"/> (into the per-model gene list) of source <paramref name="source"/> in set <paramref name="set"/> of group <paramref name="group"/>.</summary>
    private int PerModelGene(int group, int source, int set, int parameter) =>
        ((_setOffset[group] * SourceCount) + (source * SetCount(group)) + set) * _perModelGenes.Length + parameter;

    /// <summary>The per-model gene the seed genomes set (task arithmetic's weight).</summary>
    public const string SeedWeightGene = "weight";

    /// <summary>The range of a gene: configured in <c>genome.ranges</c>, else declared by its methods.</summary>
    public GeneRange Range(DeclaredGene gene) => _config.Ranges.For(gene.Name, gene.Gene);
}
