namespace EvoMerge.Search.Sweeps;

/// <summary>One evaluated sweep point, as <c>sweep.json</c> keeps it.</summary>
/// <param name="Family">The point's family (<see cref="SweepPlan"/>).</param>
/// <param name="Label">The point's label.</param>
/// <param name="Hash">The recipe hash (the point's identity: a resumed sweep takes the result of an equal hash).</param>
/// <param name="Objectives">The config's objectives on the dev tasks, in config order (NaN when the point failed).</param>
/// <param name="Score">The dev score (<see cref="SweepScore"/>).</param>
/// <param name="Reason">Why the point failed, or null.</param>
public sealed record SweepResult(string Family, string Label, string Hash, double[] Objectives, double Score, string? Reason = null);
