using System.Globalization;
using EvoMerge.Search.Configuration;
using EvoMerge.Optimization;

namespace EvoMerge.Search.Genomes;

/// <summary>
/// Where each gene sits and what it means. Real genes, in order: for each group (embeddings, the
/// <c>layer_groups</c> contiguous layer groups, final norm and head) and each source model, the per-model parameters
/// any allowed method uses (weight; density for ties, dare_ties, della, breadcrumbs; epsilon for della; gamma for
/// breadcrumbs); then the global genes any allowed method uses, each once per group, in the order slerp's t, alpha
/// (tsv, iso_c, iso_cts, esm), common_space_fraction (iso_cts), scaling_power (esm); then, with a layer ordering, one input-scale gene
/// per slot. Categorical genes: the method (when more than one is allowed), then per slot its origin
/// (0 = skip, 1 = the merged model, 1 + k = source model k). Genes in [0, 1] map linearly to the configured ranges.
/// </summary>
public sealed class GenomeLayout
{
    private static readonly Dictionary<string, string[]> PerModelParameters = new(StringComparer.Ordinal)
    {
        ["ties"] = ["weight", "density"],
        ["dare_ties"] = ["weight", "density"],
        ["task_arithmetic"] = ["weight"],
        ["della"] = ["weight", "density", "epsilon"],
        ["breadcrumbs"] = ["weight", "density", "gamma"],
        ["linear"] = ["weight"],
        ["slerp"] = [],
        ["tsv"] = [],
        ["iso_c"] = [],
        ["iso_cts"] = [],
        ["esm"] = [],
    };

    /// <summary>Global parameters that are genes (one per group), by method; methods not listed have none.</summary>
    private static readonly Dictionary<string, string[]> GlobalParameters = new(StringComparer.Ordinal)
    {
        ["slerp"] = ["t"],
        ["tsv"] = ["alpha"],
        ["iso_c"] = ["alpha"],
        ["iso_cts"] = ["alpha", "common_space_fraction"],
        ["esm"] = ["alpha", "scaling_power"],
    };

    /// <summary>Every global gene in gene order.</summary>
    private static readonly string[] GlobalGeneOrder = ["t", "alpha", "common_space_fraction", "scaling_power"];

    private readonly GenomeConfig _config;
    private readonly string[] _perModelGenes;
    private readonly string[] _globalGenes;
    private readonly int _globalStart;
    private readonly int _scaleStart;

    /// <summary>The layout for <paramref name="sourceCount"/> source models of <paramref name="layerCount"/> layers.</summary>
    public GenomeLayout(GenomeConfig config, int sourceCount, int layerCount)
    {
        if (config.LayerGroups > layerCount)
            throw new ArgumentException($"genome.layer_groups is {config.LayerGroups} but the models have only {layerCount} layers");
        _config = config;
        SourceCount = sourceCount;
        LayerCount = layerCount;
        _perModelGenes = ["weight", "density", "epsilon", "gamma"];
        _perModelGenes = _perModelGenes.Where(p => config.Methods.Any(m => PerModelParameters[m].Contains(p))).ToArray();
        _globalGenes = GlobalGeneOrder.Where(p => config.Methods.Any(m => GlobalParameters.GetValueOrDefault(m, []).Contains(p))).ToArray();
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
                foreach (string p in _perModelGenes) names.Add($"{GroupName(g)}.model{s}.{p}");
        foreach (string p in _globalGenes)
            for (int g = 0; g < GroupCount; g++) names.Add($"{GroupName(g)}.{p}");
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
        string method = _config.Methods.Count > 1 ? _config.Methods[genome.Categories[category++]] : _config.Methods[0];
        var used = PerModelParameters[method];
        var groups = new List<GroupParameters>(GroupCount);
        for (int g = 0; g < GroupCount; g++)
        {
            var perModel = new List<IReadOnlyDictionary<string, double>>(SourceCount);
            for (int s = 0; s < SourceCount; s++)
            {
                var values = new SortedDictionary<string, double>(StringComparer.Ordinal);
                for (int p = 0; p < _perModelGenes.Length; p++)
                {
                    string name = _perModelGenes[p];
                    if (!used.Contains(name)) continue;
                    values[name] = Range(name).Map(genome.Reals[PerModelGene(g, s, p)]);
                }
                perModel.Add(values);
            }
            var global = new SortedDictionary<string, double>(StringComparer.Ordinal);
            for (int p = 0; p < _globalGenes.Length; p++)
            {
                string name = _globalGenes[p];
                if (GlobalParameters.GetValueOrDefault(method, []).Contains(name))
                    global[name] = Range(name).Map(genome.Reals[_globalStart + p * GroupCount + g]);
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
        return new MergeCandidate(method, groups, slots);
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
            if (first == 1) categories[0] = _config.Methods.ToList().IndexOf("task_arithmetic");
            int weight = Array.IndexOf(_perModelGenes, "weight");
            for (int g = 0; g < GroupCount; g++)
                for (int s = 0; s < SourceCount; s++)
                    reals[PerModelGene(g, s, weight)] = _config.Ranges.Weight.Unmap(sourceWeights[s]);
        }
        return new Genome(reals, categories);
    }

    /// <summary>Index of per-model gene <paramref name="parameter"/> (into the per-model gene list) of source <paramref name="source"/> in group <paramref name="group"/>.</summary>
    private int PerModelGene(int group, int source, int parameter) => (group * SourceCount + source) * _perModelGenes.Length + parameter;

    private GeneRange Range(string parameter) => parameter switch
    {
        "weight" => _config.Ranges.Weight,
        "density" => _config.Ranges.Density,
        "epsilon" => _config.Ranges.Epsilon,
        "gamma" => _config.Ranges.Gamma,
        "t" => _config.Ranges.T,
        "alpha" => _config.Ranges.Alpha,
        "common_space_fraction" => _config.Ranges.CommonSpaceFraction,
        "scaling_power" => _config.Ranges.ScalingPower,
        _ => throw new ArgumentOutOfRangeException(nameof(parameter)),
    };
}
