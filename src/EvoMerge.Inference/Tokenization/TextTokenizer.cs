namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// A model directory's tokenizer, giving the token ids HuggingFace transformers gives: byte-level BPE (GPT-2, Llama-3,
/// Qwen2/3) and SentencePiece-style BPE with byte fallback (Llama-2, Mistral) from <c>tokenizer.json</c>, or a
/// SentencePiece <c>tokenizer.model</c> when there is no tokenizer.json; BOS/EOS/PAD from <c>tokenizer_config.json</c>.
/// One instance may encode and decode on several threads at once.
/// </summary>
public sealed class TextTokenizer
{
    private readonly ITokenizerPipeline pipeline;
    private readonly int[] prefix;
    private readonly int[] suffix;

    private TextTokenizer(ITokenizerPipeline pipeline, int[] prefix, int[] suffix, int? bosId, int? eosId, int? padId)
    {
        this.pipeline = pipeline;
        this.prefix = prefix;
        this.suffix = suffix;
        BosId = bosId;
        EosId = eosId;
        PadId = padId;
    }

    /// <summary>The beginning-of-sequence token id, when the tokenizer has one.</summary>
    public int? BosId { get; }

    /// <summary>The end-of-sequence token id, when the tokenizer has one.</summary>
    public int? EosId { get; }

    /// <summary>The padding token id named by tokenizer_config.json, or null.</summary>
    public int? PadId { get; }

    /// <summary>One past the highest id of the vocabulary and added tokens (the model's embedding may be larger).</summary>
    public int VocabSize => pipeline.VocabSize;

    /// <summary>Whether <see cref="Encode"/> with special tokens puts BOS first.</summary>
    public bool AddBosToken => prefix.Length > 0;

    /// <summary>Whether <see cref="Encode"/> with special tokens puts EOS last.</summary>
    public bool AddEosToken => suffix.Length > 0;

    /// <summary>
    /// Loads the tokenizer of <paramref name="modelDirectory"/>: tokenizer.json when present, else tokenizer.model;
    /// tokenizer_config.json is optional. Unsupported or broken files raise <see cref="TokenizerFormatException"/>.
    /// </summary>
    public static TextTokenizer Load(string modelDirectory)
    {
        if (!Directory.Exists(modelDirectory)) throw new DirectoryNotFoundException($"{modelDirectory}: model directory not found");
        var config = TokenizerConfig.Read(modelDirectory);
        string json = Path.Combine(modelDirectory, TokenizerJsonPipeline.FileName);
        string model = Path.Combine(modelDirectory, SentencePieceModelPipeline.FileName);
        ITokenizerPipeline pipeline = File.Exists(json) ? TokenizerJsonPipeline.Load(json, config.CleanUpTokenizationSpaces)
            : File.Exists(model) ? SentencePieceModelPipeline.Load(model, config)
            : throw new FileNotFoundException($"{modelDirectory}: no {TokenizerJsonPipeline.FileName} or {SentencePieceModelPipeline.FileName}");

        int? bosId = IdOf(pipeline, config, config.BosToken, "bos_token");
        int? eosId = IdOf(pipeline, config, config.EosToken, "eos_token");
        int? padId = IdOf(pipeline, config, config.PadToken, "pad_token");
        if (bosId is null && config.BosToken is null && pipeline.SpecialPrefix.Count == 1) bosId = pipeline.SpecialPrefix[0];
        if (eosId is null && config.EosToken is null && pipeline.SpecialSuffix.Count == 1) eosId = pipeline.SpecialSuffix[0];

        int[] prefix = Around(config.AddBosToken, bosId, pipeline.SpecialPrefix, config, "add_bos_token", "bos_token");
        int[] suffix = Around(config.AddEosToken, eosId, pipeline.SpecialSuffix, config, "add_eos_token", "eos_token");
        return new TextTokenizer(pipeline, prefix, suffix, bosId, eosId, padId);
    }

    /// <summary>
    /// The token ids of <paramref name="text"/>. Added and special tokens written in the text (such as
    /// <c>&lt;|im_start|&gt;</c>) become their single ids; <paramref name="addSpecialTokens"/> adds BOS/EOS as the
    /// tokenizer is configured to.
    /// </summary>
    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 2);
        if (addSpecialTokens) ids.AddRange(prefix);
        pipeline.Encode(text, ids);
        if (addSpecialTokens) ids.AddRange(suffix);
        return ids;
    }

    /// <summary>The text of <paramref name="ids"/>, special tokens included, as transformers' <c>decode</c> gives it.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return pipeline.Decode(ids);
    }

    /// <summary>The id of a token string (vocabulary entry or added token), or null when the tokenizer has none.</summary>
    public int? TokenToId(string token) => pipeline.IdOf(token);

    private static int? IdOf(ITokenizerPipeline pipeline, TokenizerConfig config, string? token, string field) =>
        token is null ? null
        : pipeline.IdOf(token) ?? throw new TokenizerFormatException(config.File, field, $"'{token}' is not a token of the tokenizer");

    /// <summary>The config's add_bos_token/add_eos_token wins over what the tokenizer file's post-processor adds.</summary>
    private static int[] Around(bool? add, int? id, IReadOnlyList<int> fromTokenizer, TokenizerConfig config, string addField, string tokenField) =>
        add switch
        {
            null => [.. fromTokenizer],
            false => [],
            true => id is int value ? [value] : throw new TokenizerFormatException(config.File, addField, $"is true but {tokenField} is not set"),
        };
}
