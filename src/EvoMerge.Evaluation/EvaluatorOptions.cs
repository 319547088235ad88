using EvoMerge.Inference;

namespace EvoMerge.Evaluation;

/// <summary>How <see cref="Evaluator"/> runs the model.</summary>
public sealed record EvaluatorOptions
{
    /// <summary>Most tokens the model reads in one pass; null: the model's <c>max_position_embeddings</c>.</summary>
    public int? MaxLength { get; init; }

    /// <summary>Batching of log-likelihood requests, passed to the decoder's scorer.</summary>
    public LogLikelihoodOptions Scoring { get; init; } = new();

    /// <summary>Prompts generated together (one left-padded batch with a KV cache).</summary>
    public int GenerationBatchSize { get; init; } = 8;

    /// <summary>
    /// Told the documents scored of each task: 0 when it starts, after each generation batch, and all when it ends
    /// (multiple-choice and perplexity tasks are scored in one call, so they report only start and end); null: no reports.
    /// </summary>
    public IProgress<EvalProgress>? Progress { get; init; }
}
