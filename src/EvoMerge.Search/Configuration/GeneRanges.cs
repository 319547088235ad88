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

    /// <summary>alpha of the subspace methods (tsv, iso_c, iso_cts, esm) per layer group.</summary>
    public GeneRange Alpha { get; init; } = new(0.5, 2.0);

    /// <summary>iso_cts's common_space_fraction per layer group.</summary>
    public GeneRange CommonSpaceFraction { get; init; } = new(0.5, 1.0);

    /// <summary>esm's scaling_power per layer group.</summary>
    public GeneRange ScalingPower { get; init; } = new(0.0, 2.0);
}
