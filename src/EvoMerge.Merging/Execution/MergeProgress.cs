namespace EvoMerge.Merging.Execution;

/// <summary>Progress of a running merge, reported after each tensor.</summary>
/// <param name="TensorsDone">Output tensors merged so far.</param>
/// <param name="TensorsTotal">Output tensors in the plan.</param>
/// <param name="BytesRead">Input bytes read so far (as stored).</param>
/// <param name="Elapsed">Time since the merge started.</param>
/// <param name="Tensor">The tensor just merged.</param>
public sealed record MergeProgress(int TensorsDone, int TensorsTotal, long BytesRead, TimeSpan Elapsed, string Tensor);
