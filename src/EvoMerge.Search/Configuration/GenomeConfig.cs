namespace EvoMerge.Search.Configuration;

/// <summary>
/// Config <c>genome</c>: allowed merge methods (names in the config's <see cref="Merging.MergeMethodRegistry"/>), layer
/// groups, configured gene ranges, the optional layer ordering and the optional
/// <c>seed_weights</c>: for each value w, one uniform task-arithmetic genome (every source at weight w in every group)
/// placed in the first generation; and the optional <c>seed_sources</c>: one task-arithmetic genome per source, that
/// source at weight 1 and every other at 0 (the source itself), also in the first generation. The mergekit-evolve
/// keys: <c>filters</c> (per-tensor-kind parameter sets in each layer group), <c>smooth</c> (layer groups as gradient
/// control points), <c>allow_negative_weights</c>, <c>normalize</c> and <c>random_init</c>.
/// </summary>
public sealed record GenomeConfig(IReadOnlyList<string> Methods, int LayerGroups, GeneRanges Ranges, LayerOrderingConfig? LayerOrdering)
{
    /// <summary>Uniform weights whose task-arithmetic genomes start the search (empty: none).</summary>
    public IReadOnlyList<double> SeedWeights { get; init; } = [];

    /// <summary>Whether each source itself (as a task-arithmetic genome) starts the search.</summary>
    public bool SeedSources { get; init; }

    /// <summary>
    /// Tensor-name substrings (mergekit filters): each layer group gets one parameter set per filter, for the tensors
    /// whose name contains it (the first filter that matches wins), plus one for the remaining tensors. Empty: one set.
    /// </summary>
    public IReadOnlyList<string> Filters { get; init; } = [];

    /// <summary>
    /// When true, the layer groups' values are control points of one gradient over all layers (mergekit's
    /// interpolation, spread evenly from the first layer to the last) instead of a constant per group.
    /// </summary>
    public bool Smooth { get; init; }

    /// <summary>
    /// Whether decoded weights (and slerp's t) may be negative; false takes their absolute value, as mergekit-evolve
    /// does. Null (not configured): true exactly when the configured weight or t range reaches below 0.
    /// </summary>
    public bool? AllowNegativeWeights { get; init; }

    /// <summary>The <c>normalize</c> flag written into every recipe whose method declares one; null: the method's default.</summary>
    public bool? Normalize { get; init; }

    /// <summary>
    /// Whether CMA-ES starts from a uniformly random genome drawn from the run's seed instead of its default mean (the
    /// middle of every range); the other optimizers' first generation is uniformly random already.
    /// </summary>
    public bool RandomInit { get; init; }

    /// <summary>Config <c>genome.routed</c>: every candidate a routed-experts model over the static merge as backbone; null: static merges.</summary>
    public RoutedGenomeConfig? Routed { get; init; }
}
