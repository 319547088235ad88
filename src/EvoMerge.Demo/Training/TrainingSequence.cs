namespace EvoMerge.Demo.Training;

/// <summary>
/// Token ids of one training sequence; the loss covers the predictions of <c>Tokens[FirstTarget..]</c>: cross-entropy
/// against the tokens, or with <see cref="Anchored"/> the KL divergence from a reference model's predictions there
/// (the model is held to the reference on this row instead of taught its text).
/// </summary>
public sealed record TrainingSequence(int[] Tokens, int FirstTarget, bool Anchored = false);
