namespace EvoMerge.Search.Configuration;

/// <summary>Config <c>genome</c>: allowed merge methods, layer groups, gene ranges and the optional layer ordering.</summary>
public sealed record GenomeConfig(IReadOnlyList<string> Methods, int LayerGroups, GeneRanges Ranges, LayerOrderingConfig? LayerOrdering);
