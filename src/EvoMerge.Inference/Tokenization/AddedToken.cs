namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// An entry of tokenizer.json's <c>added_tokens</c>: matched in the text as a whole before the model runs.
/// <paramref name="Normalized"/> tokens are matched in the normalized text, the others in the raw text.
/// </summary>
internal sealed record AddedToken(
    int Id, string Content, bool Special, bool LeftStrip, bool RightStrip, bool SingleWord, bool Normalized);
