namespace EvoMerge.Inference;

/// <summary>How <see cref="LogLikelihoodScorer"/> batches requests.</summary>
public sealed record LogLikelihoodOptions
{
    /// <summary>Most tokens (rows × padded length) one forward pass may hold; a longer single request still runs alone.</summary>
    public int TokenBudget { get; init; } = 4096;

    /// <summary>
    /// Run a context shared by several requests (multiple choice) once and its continuations after it through the
    /// KV cache, instead of repeating the context in every row.
    /// </summary>
    public bool SharePrefixes { get; init; } = true;
}
