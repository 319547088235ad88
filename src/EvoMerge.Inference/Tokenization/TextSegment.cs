namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// A piece of the input after added tokens were cut out: either plain text for the model or one added token.
/// <paramref name="AtInputStart"/> is true when the piece begins at offset 0 of the whole input.
/// </summary>
internal readonly record struct TextSegment(string Text, AddedToken? Token, bool AtInputStart);
