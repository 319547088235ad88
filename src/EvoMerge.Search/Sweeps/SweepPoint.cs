namespace EvoMerge.Search.Sweeps;

/// <summary>
/// One merge a sweep evaluates: every layer group gets the same parameters (per source model, and global).
/// </summary>
/// <param name="Family">grid, path, ingredient or soup.</param>
/// <param name="Label">What the point is, e.g. <c>ties density=0.4</c>, <c>t=0.5</c>, <c>soup {a, b}</c>.</param>
/// <param name="Method">The merge method.</param>
/// <param name="PerModel">Per source model (in config order), its parameters.</param>
/// <param name="Global">Global parameters (e.g. lambda).</param>
/// <param name="X">The point's first coordinate for the plot (grid: first axis; path: t; NaN for the soup families).</param>
/// <param name="Series">The plot series (grid: the second axis' value, NaN with one axis).</param>
public sealed record SweepPoint(string Family, string Label, string Method, IReadOnlyList<IReadOnlyDictionary<string, double>> PerModel,
    IReadOnlyDictionary<string, double> Global, double X, double Series);
