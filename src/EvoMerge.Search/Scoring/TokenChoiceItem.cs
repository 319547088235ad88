namespace EvoMerge.Search.Scoring;

/// <summary>One item of a <see cref="TokenChoiceTask"/>: context token ids, candidate continuations, the right one's index.</summary>
public sealed record TokenChoiceItem(int[] Context, int[][] Choices, int Answer);
