using Microsoft.ML.Tokenizers;

namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// A SentencePiece <c>tokenizer.model</c> (Llama-2/Mistral) through Microsoft.ML.Tokenizers' <see cref="LlamaTokenizer"/>,
/// used when a model directory has no tokenizer.json. The added tokens of tokenizer_config.json and BOS/EOS/UNK are
/// matched in the text as special tokens. As in transformers' LlamaTokenizer with <c>legacy</c> (its default), the text
/// after a special token starts a new SentencePiece sequence with its own "▁" prefix; with <c>"legacy": false</c> only
/// the start of the text gets one.
/// </summary>
/// <remarks>
/// LlamaTokenizer resolves merges of equal score in another order than HuggingFace (leftmost first), so runs of a
/// repeated character (<c>"!!!!!!!!"</c>, long space runs) can be segmented differently (same text, other ids); a
/// directory with tokenizer.json never takes this route.
/// </remarks>
internal sealed class SentencePieceModelPipeline : ITokenizerPipeline
{
    public const string FileName = "tokenizer.model";

    private readonly LlamaTokenizer llama;
    private readonly Dictionary<string, int> specialTokens;
    private readonly AddedTokenSplitter? legacySplitter;

    private SentencePieceModelPipeline(LlamaTokenizer llama, Dictionary<string, int> specialTokens, bool legacy)
    {
        this.llama = llama;
        this.specialTokens = specialTokens;
        legacySplitter = legacy
            ? new AddedTokenSplitter(specialTokens.Select(t => new AddedToken(t.Value, t.Key, true, false, false, false, false)))
            : null;
        VocabSize = Math.Max(llama.Vocabulary.Values.DefaultIfEmpty(-1).Max(), specialTokens.Values.DefaultIfEmpty(-1).Max()) + 1;
        SpecialPrefix = [llama.BeginningOfSentenceId];
    }

    public int VocabSize { get; }

    /// <summary>A SentencePiece model puts BOS before a text, as transformers' LlamaTokenizer does by default.</summary>
    public IReadOnlyList<int> SpecialPrefix { get; }

    public IReadOnlyList<int> SpecialSuffix { get; } = [];

    public static SentencePieceModelPipeline Load(string path, TokenizerConfig config)
    {
        Dictionary<string, int> special = new(StringComparer.Ordinal);
        LlamaTokenizer plain;
        try
        {
            using (var stream = File.OpenRead(path)) plain = LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false);
            special[plain.BeginningOfSentenceToken] = plain.BeginningOfSentenceId;
            special[plain.EndOfSentenceToken] = plain.EndOfSentenceId;
            special[plain.UnknownToken] = plain.UnknownId;
            foreach (var token in config.AddedTokens) special[token.Content] = token.Id;
            using var again = File.OpenRead(path);
            return new SentencePieceModelPipeline(LlamaTokenizer.Create(again, addBeginOfSentence: false, addEndOfSentence: false, special),
                special, config.Legacy ?? true);
        }
        catch (Exception e) when (e is not IOException and not UnauthorizedAccessException)
        {
            throw new TokenizerFormatException(path, null, $"is not a SentencePiece model Microsoft.ML.Tokenizers can load: {e.Message}");
        }
    }

    public int? IdOf(string token) =>
        specialTokens.TryGetValue(token, out int id) || llama.Vocabulary.TryGetValue(token, out id) ? id : null;

    public void Encode(string text, List<int> ids)
    {
        if (legacySplitter is null)
        {
            ids.AddRange(llama.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false));
            return;
        }
        var segments = new List<TextSegment>();
        legacySplitter.Split(text, atInputStart: true, segments);
        foreach (var segment in segments)
        {
            if (segment.Token is { } token) ids.Add(token.Id);
            else ids.AddRange(llama.EncodeToIds(segment.Text, addBeginningOfSentence: false, addEndOfSentence: false));
        }
    }

    public string Decode(IEnumerable<int> ids) => llama.Decode(ids.Where(id => id >= 0 && id < VocabSize), considerSpecialTokens: true);
}
