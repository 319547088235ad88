namespace EvoMerge.Search.Configuration;

/// <summary>The value ranges of the merge-parameter genes (config <c>genome.ranges</c>).</summary>
public sealed record GeneRanges
{
    /// <summary>Per-model weight.</summary>
    public GeneRange Weight { get; init; } = new(0.0, 1.0);

    /// <summary>Per-model density.</summary>
    public GeneRange Density { get; init; } = new(0.1, 1.0);

    /// <summary>slerp's t per layer group.</summary>
    public GeneRange T { get; init; } = new(0.0, 1.0);

    /// <summary>della's per-model epsilon.</summary>
    public GeneRange Epsilon { get; init; } = new(0.0, 0.1);

    /// <summary>breadcrumbs' per-model gamma.</summary>
    public GeneRange Gamma { get; init; } = new(0.0, 0.1);
}
