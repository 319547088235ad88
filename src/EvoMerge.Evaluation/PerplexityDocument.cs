namespace EvoMerge.Evaluation;

/// <summary>A perplexity document: the text whose rolling log-likelihood is measured.</summary>
public sealed record PerplexityDocument(int Index, string Text) : EvalDocument(Index);
