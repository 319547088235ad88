namespace EvoMerge.Evaluation;

/// <summary>
/// A scored perplexity document: the natural-log likelihood of the whole text (summed over the rolling windows),
/// the number of tokens scored, and the text's words (lm-eval: <c>len(re.split(r"\s+", text))</c>) and UTF-8 bytes.
/// </summary>
public sealed record PerplexityRecord(int DocIndex, double LogLikelihood, int Tokens, int Words, int Bytes) : DocumentRecord(DocIndex);
