namespace EvoMerge.Search.Analysis;

/// <summary>
/// Two task vectors compared over a group of tensors (docs/analyze.md): cosine similarity of the concatenated
/// vectors, the rate of sign conflicts among elements where both are nonzero, and the mean subspace overlap of the
/// group's matrices (<see cref="TaskVectorMeasures.SubspaceOverlap"/>). Null where undefined (a zero vector, no matrix).
/// </summary>
public sealed record PairStatistics(string A, string B, double? Cosine, double? SignConflictRate, double? SubspaceOverlap);
