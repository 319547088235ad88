using EvoMerge.Merging.Recipes;

namespace EvoMerge.Merging.Vocabulary;

/// <summary>
/// Where an output token's embedding row comes from (<c>tokenizer.tokens.TOKEN.source</c>): a model's row of the same
/// token (<c>source: MODEL</c>), zeros (<c>{kind: zero}</c>), or a model's row of another token
/// (<c>{kind: model_token, model: M, token: T}</c> or <c>token_id: N</c>, an id in that model's own vocabulary).
/// </summary>
public abstract record TokenRowSource
{
    private TokenRowSource()
    {
    }

    /// <summary>The row of the same token in <paramref name="Model"/>.</summary>
    public sealed record SameToken(ModelReference Model) : TokenRowSource;

    /// <summary>A row of zeros.</summary>
    public sealed record Zero : TokenRowSource;

    /// <summary>The row of <paramref name="Token"/> (or of id <paramref name="TokenId"/>) in <paramref name="Model"/>; exactly one of the two is set.</summary>
    public sealed record ModelToken(ModelReference Model, string? Token, int? TokenId) : TokenRowSource;
}
