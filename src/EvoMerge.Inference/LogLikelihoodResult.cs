namespace EvoMerge.Inference;

/// <summary>
/// The score of one <see cref="LogLikelihoodRequest"/>: the sum of the natural-log probabilities of the
/// continuation tokens, and whether each continuation token was the model's argmax (lm-eval's <c>is_greedy</c>).
/// </summary>
public readonly record struct LogLikelihoodResult(double LogLikelihood, bool IsGreedy);
