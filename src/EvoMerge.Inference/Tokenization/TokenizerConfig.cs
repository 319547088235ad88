namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// What the tokenizer reads from transformers' <c>tokenizer_config.json</c>: whether BOS/EOS are added, the special
/// token strings, decode clean-up, and (for a <c>tokenizer.model</c> directory) the added tokens and <c>legacy</c>.
/// </summary>
internal sealed record TokenizerConfig(
    string File,
    bool? AddBosToken,
    bool? AddEosToken,
    string? BosToken,
    string? EosToken,
    string? PadToken,
    string? UnknownToken,
    bool CleanUpTokenizationSpaces,
    bool? Legacy,
    IReadOnlyList<AddedToken> AddedTokens)
{
    public const string FileName = "tokenizer_config.json";

    /// <summary>Reads <c>tokenizer_config.json</c> from <paramref name="modelDirectory"/>; all defaults when it is absent.</summary>
    public static TokenizerConfig Read(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, FileName);
        if (!System.IO.File.Exists(path)) return new TokenizerConfig(path, null, null, null, null, null, null, false, null, []);
        var (document, root) = TokenizerJsonElement.Parse(path);
        using (document)
        {
            var added = new List<AddedToken>();
            if (root.Find("added_tokens_decoder") is { } decoder)
                foreach (var (key, token) in decoder.Members())
                {
                    if (!int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id))
                        throw token.Error("must be keyed by a token id");
                    added.Add(new AddedToken(id, token.GetString("content"), token.FindBool("special", false),
                        token.FindBool("lstrip", false), token.FindBool("rstrip", false), token.FindBool("single_word", false),
                        token.FindBool("normalized", false)));
                }
            return new TokenizerConfig(path,
                root.Find("add_bos_token")?.AsBool(),
                root.Find("add_eos_token")?.AsBool(),
                TokenText(root, "bos_token"),
                TokenText(root, "eos_token"),
                TokenText(root, "pad_token"),
                TokenText(root, "unk_token"),
                root.FindBool("clean_up_tokenization_spaces", false),
                root.Find("legacy")?.AsBool(),
                added);
        }
    }

    /// <summary>A special token given either as a string or as an AddedToken object with a <c>content</c>.</summary>
    private static string? TokenText(TokenizerJsonElement root, string name) =>
        root.Find(name) is not { } value ? null
        : value.Value.ValueKind == System.Text.Json.JsonValueKind.Object ? value.GetString("content")
        : value.AsString();
}
