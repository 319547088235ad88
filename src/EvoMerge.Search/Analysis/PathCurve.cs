namespace EvoMerge.Search.Analysis;

/// <summary>One metric's values (and standard errors) at the points of an <see cref="InterpolationPath"/>.</summary>
public sealed record PathCurve(string Metric, bool HigherIsBetter, IReadOnlyList<double> Values, IReadOnlyList<double?> StandardErrors);
