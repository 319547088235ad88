using EvoMerge.Merging.Recipes;

namespace EvoMerge.Merging.Vocabulary;

/// <summary>
/// A recipe's vocabulary settings: <c>tokenizer_source: base | MODEL | union</c>, or the <c>tokenizer:</c> block
/// (<c>source</c>, default <c>union</c>; <c>tokens</c>; <c>pad_to_multiple_of</c>), as mergekit's TokenizerConfig.
/// Null on a recipe means neither key is given (mergekit's legacy behaviour, see <see cref="LegacyEmbeddingRows"/>).
/// </summary>
/// <param name="Kind">Where the output vocabulary comes from.</param>
/// <param name="Model">The model whose vocabulary is used, for <see cref="VocabularySourceKind.Model"/>.</param>
/// <param name="Tokens">Per-token embedding sources of the <c>tokenizer:</c> block, in recipe order.</param>
/// <param name="PadToMultipleOf">Row count padding of the embeddings and head, when given.</param>
/// <param name="Line">The line of <c>tokenizer_source</c> or <c>tokenizer</c>.</param>
public sealed record TokenizerSettings(VocabularySourceKind Kind, ModelReference? Model, IReadOnlyList<TokenSetting> Tokens, int? PadToMultipleOf, int Line);
