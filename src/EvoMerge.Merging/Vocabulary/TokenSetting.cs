namespace EvoMerge.Merging.Vocabulary;

/// <summary>
/// One entry of <c>tokenizer.tokens</c>: the token (added to the output vocabulary when missing), where its
/// embedding row comes from for models lacking it (or for every model when <paramref name="Force"/>).
/// </summary>
/// <param name="Token">The token's text.</param>
/// <param name="Source">Its row's source; null: mergekit's default rules.</param>
/// <param name="Force">Use the source's row for every model, even those that have the token.</param>
/// <param name="Line">The recipe line of the entry.</param>
public sealed record TokenSetting(string Token, TokenRowSource? Source, bool Force, int Line);
