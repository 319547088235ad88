namespace EvoMerge.Search.Configuration;

/// <summary>
/// Config <c>genome</c>: allowed merge methods (names in the config's <see cref="Merging.MergeMethodRegistry"/>), layer
/// groups, configured gene ranges, the optional layer ordering and the optional
/// <c>seed_weights</c>: for each value w, one uniform task-arithmetic genome (every source at weight w in every group)
/// placed in the first generation; and the optional <c>seed_sources</c>: one task-arithmetic genome per source, that
/// source at weight 1 and every other at 0 (the source itself), also in the first generation.
/// </summary>
public sealed record GenomeConfig(IReadOnlyList<string> Methods, int LayerGroups, GeneRanges Ranges, LayerOrderingConfig? LayerOrdering)
{
    /// <summary>Uniform weights whose task-arithmetic genomes start the search (empty: none).</summary>
    public IReadOnlyList<double> SeedWeights { get; init; } = [];

    /// <summary>Whether each source itself (as a task-arithmetic genome) starts the search.</summary>
    public bool SeedSources { get; init; }
}
