namespace EvoMerge.Merging;

/// <summary>The genes several method families declare (same name, same range); a method's own genes live in its file.</summary>
public static class SharedSearchGenes
{
    /// <summary>Per-model weight, default range [0, 1].</summary>
    public static SearchGene Weight { get; } = new(0.0, 1.0, "Per-model weight");

    /// <summary>Per-model density (the fraction of a task vector kept), default range [0.1, 1] (its domain, (0, 1], is the parameter's).</summary>
    public static SearchGene Density { get; } = new(0.1, 1.0, "Per-model density, the fraction of a task vector kept");

    /// <summary>alpha of the subspace methods, the scale of the merged update, default range [0.5, 2].</summary>
    public static SearchGene SubspaceAlpha { get; } = new(0.5, 2.0, "The scale of the merged update");
}
