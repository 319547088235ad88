namespace EvoMerge.Search.Sweeps;

/// <summary>A grid over one or two parameters of <paramref name="Method"/>; every other parameter at <paramref name="Fixed"/> or its default.</summary>
/// <param name="Method">A searchable merge method.</param>
/// <param name="Axes">One or two (parameter, values) pairs, in config order; the grid is their product.</param>
/// <param name="Fixed">Parameters held at one value at every grid point.</param>
public sealed record SweepGrid(string Method, IReadOnlyList<(string Parameter, double[] Values)> Axes, IReadOnlyDictionary<string, double> Fixed);
