namespace EvoMerge.Tensors;

/// <summary>One shard file of a <see cref="ModelSummary"/>: its name, tensor count and size in bytes.</summary>
public sealed record ShardSummary(string File, int Tensors, long Bytes);
