namespace EvoMerge.Search.Sweeps;

/// <summary>
/// The path from the base toward one merge: at each t, θ = base + t·(merge − base), built exactly as the merge with its
/// <c>lambda</c> multiplied by t (the generalized task-arithmetic family scales its merged task vector by lambda).
/// </summary>
/// <param name="Method">A method that declares <c>lambda</c>.</param>
/// <param name="Parameters">The merge's parameters (lambda, when given, is the merge's own scale that t multiplies).</param>
/// <param name="T">The points of the path, in order.</param>
public sealed record SweepPath(string Method, IReadOnlyDictionary<string, double> Parameters, double[] T);
