namespace EvoMerge.Search.Sweeps;

/// <summary>
/// The <c>sweep:</c> block of a sweep config: which fixed families of merges <c>evomerge sweep</c> evaluates (at least
/// one): a uniform grid, the path toward the base, and greedy soup.
/// </summary>
/// <param name="Grid">A uniform grid over one or two parameters of one method, or null.</param>
/// <param name="Path">The WiSE-style path θ = base + t·(merge − base), or null.</param>
/// <param name="GreedySoup">Whether to cook a greedy soup of the source models (<see cref="Sweeps.GreedySoup"/>).</param>
public sealed record SweepSettings(SweepGrid? Grid, SweepPath? Path, bool GreedySoup);
