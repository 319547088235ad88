namespace EvoMerge.Inference;

/// <summary>
/// One scoring request: the likelihood of <see cref="Continuation"/> following <see cref="Context"/> (token ids).
/// The context must hold at least one token (lm-eval prepends BOS/EOT when a context is empty).
/// </summary>
public sealed record LogLikelihoodRequest(IReadOnlyList<int> Context, IReadOnlyList<int> Continuation);
