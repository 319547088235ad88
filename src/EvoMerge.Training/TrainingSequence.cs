namespace EvoMerge.Training;

/// <summary>Token ids of one training sequence; the loss covers the predictions of <c>Tokens[FirstTarget..]</c>.</summary>
public sealed record TrainingSequence(int[] Tokens, int FirstTarget);
