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
/// method declares, each once per group; then, with a layer ordering, one input-scale gene per slot. With the
/// built-in methods that is weight, density, epsilon, gamma per model and t, alpha, common_space_fraction,
/// scaling_power per group. Categorical genes: the method (when more than one is allowed), then per slot its origin
/// (0 = skip, 1 = the merged model, 1 + k = source model k). Genes in [0, 1] map linearly to the configured ranges,
/// or to the declared ones.
/// </summary>
public sealed class GenomeLayout
{
    private readonly GenomeConfig _config;
    private readonly IMergeMethod[] _methods;
    private readonly DeclaredGene[] _perModelGenes;
    private readonly DeclaredGene[] _globalGenes;
    private readonly int _globalStart;
    private readonly int _scaleStart;

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
        _globalStart = GroupCount * sourceCount * _perModelGenes.Length;
        _scaleStart = _globalStart + GroupCount * _globalGenes.Length;
        SlotCount = config.LayerOrdering is { } ordering ? ordering.Repeats * layerCount : 0;
        var categories = new List<int>();
        if (config.Methods.Count > 1) categories.Add(config.Methods.Count);
        for (int i = 0; i < SlotCount; i++) categories.Add(2 + sourceCount);
        Space = new GeneSpace(_scaleStart + SlotCount, categories);
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
        for (int g = 0; g < GroupCount; g++)
            for (int s = 0; s < SourceCount; s++)
                foreach (var p in _perModelGenes) names.Add($"{GroupName(g)}.model{s}.{p.Name}");
        foreach (var p in _globalGenes)
            for (int g = 0; g < GroupCount; g++) names.Add($"{GroupName(g)}.{p.Name}");
        for (int i = 0; i < SlotCount; i++) names.Add($"slot{i}.input_scale");
        if (_config.Methods.Count > 1) names.Add("method");
        for (int i = 0; i < SlotCount; i++) names.Add($"slot{i}.origin");
        return names;
    }

    /// <summary>"embeddings", "layers[a,b)" or "head".</summary>
    public string GroupName(int group) => group == 0 ? "embeddings" : group == GroupCount - 1 ? "head"
        : string.Create(CultureInfo.InvariantCulture, $"layers[{LayerRange(group).Start},{LayerRange(group).End})");

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
            var perModel = new List<IReadOnlyDictionary<string, double>>(SourceCount);
            for (int s = 0; s < SourceCount; s++)
            {
                var values = new SortedDictionary<string, double>(StringComparer.Ordinal);
                for (int p = 0; p < _perModelGenes.Length; p++)
                {
                    var gene = _perModelGenes[p];
                    if (!used.Contains(gene.Name)) continue;
                    values[gene.Name] = Range(gene).Map(genome.Reals[PerModelGene(g, s, p)]);
                }
                perModel.Add(values);
            }
            var global = new SortedDictionary<string, double>(StringComparer.Ordinal);
            for (int p = 0; p < _globalGenes.Length; p++)
            {
                var gene = _globalGenes[p];
                if (used.Contains(gene.Name))
                    global[gene.Name] = Range(gene).Map(genome.Reals[_globalStart + p * GroupCount + g]);
            }
            groups.Add(new GroupParameters(perModel, global));
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
        return new MergeCandidate(method.Name, groups, slots);
    }

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
                    reals[PerModelGene(g, s, weight)] = Range(_perModelGenes[weight]).Unmap(sourceWeights[s]);
        }
        return new Genome(reals, categories);
    }

    /// <summary>Index of per-model gene <paramref name="parameter"/> (into the per-model gene list) of source <paramref name="source"/> in group <paramref name="group"/>.</summary>
    private int PerModelGene(int group, int source, int parameter) => (group * SourceCount + source) * _perModelGenes.Length + parameter;

    /// <summary>The per-model gene the seed genomes set (task arithmetic's weight).</summary>
    public const string SeedWeightGene = "weight";

    /// <summary>The range of a gene: configured in <c>genome.ranges</c>, else declared by its methods.</summary>
    public GeneRange Range(DeclaredGene gene) => _config.Ranges.For(gene.Name, gene.Gene);
}
