using System.Text.Json;

namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// A HuggingFace <c>tokenizer.json</c> with a BPE model, run as HuggingFace tokenizers runs it: added tokens are cut
/// out of the raw text, the rest is normalized, pre-tokenized into words and encoded word by word; decoding maps ids
/// to token strings and runs the decoder, then transformers' clean-up when the config asks for it.
/// </summary>
internal sealed class TokenizerJsonPipeline : ITokenizerPipeline
{
    public const string FileName = "tokenizer.json";

    private readonly AddedTokenSplitter rawTokens;
    private readonly AddedTokenSplitter normalizedTokens;
    private readonly TextNormalizer normalizer;
    private readonly PreTokenizerChain preTokenizer;
    private readonly ITokenModel model;
    private readonly TokenDecoder decoder;
    private readonly string?[] tokenOfId;
    private readonly Dictionary<string, int> idOfAddedToken;
    private readonly IReadOnlyDictionary<string, int> vocabulary;
    private readonly bool cleanUpSpaces;

    private TokenizerJsonPipeline(TokenizerJsonElement root, bool cleanUpSpaces)
    {
        this.cleanUpSpaces = cleanUpSpaces;
        var modelNode = root.Get("model");
        if (modelNode.Find("type") is { } type && type.AsString() != "BPE") throw type.Unsupported();
        vocabulary = ReadVocabulary(modelNode.Get("vocab"));
        var mergesNode = modelNode.Get("merges");
        var merges = ReadMerges(mergesNode);
        if (modelNode.Find("dropout") is { } dropout && !(dropout.Value.ValueKind == JsonValueKind.Number && dropout.Value.GetDouble() == 0))
            throw dropout.Error("(BPE dropout) is not supported");

        var added = root.Find("added_tokens")?.Items().Select(ReadAddedToken).ToList() ?? [];
        rawTokens = new AddedTokenSplitter(added.Where(t => !t.Normalized));
        normalizedTokens = new AddedTokenSplitter(added.Where(t => t.Normalized));
        idOfAddedToken = [];
        foreach (var token in added) idOfAddedToken.TryAdd(token.Content, token.Id);

        normalizer = TextNormalizer.From(root.Find("normalizer"));
        preTokenizer = PreTokenizerChain.From(root.Find("pre_tokenizer"));
        decoder = TokenDecoder.From(root.Find("decoder"));

        string? prefix = NonEmpty(modelNode.FindString("continuing_subword_prefix"));
        string? suffix = NonEmpty(modelNode.FindString("end_of_word_suffix"));
        bool ignoreMerges = modelNode.FindBool("ignore_merges", false);
        if (preTokenizer.IsByteLevel)
            model = new ByteLevelBpeModel(vocabulary, merges, ignoreMerges, prefix, suffix);
        else
        {
            int? unknownId = null;
            if (modelNode.Find("unk_token") is { } unk)
                unknownId = vocabulary.TryGetValue(unk.AsString(), out int id) ? id : throw unk.Error($"'{unk.AsString()}' is not in model.vocab");
            model = new MergeRankBpeModel(vocabulary, merges, mergesNode, modelNode.FindBool("byte_fallback", false), unknownId,
                modelNode.FindBool("fuse_unk", false), ignoreMerges, prefix, suffix);
        }

        int size = Math.Max(vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1, added.Count == 0 ? 0 : added.Max(t => t.Id) + 1);
        tokenOfId = new string?[size];
        foreach (var (token, id) in vocabulary) tokenOfId[id] = token;
        foreach (var token in added) tokenOfId[token.Id] = token.Content;

        (SpecialPrefix, SpecialSuffix) = ReadTemplate(root.Find("post_processor"));
    }

    public int VocabSize => tokenOfId.Length;

    public IReadOnlyList<int> SpecialPrefix { get; }

    public IReadOnlyList<int> SpecialSuffix { get; }

    /// <summary>Reads <paramref name="path"/>; <paramref name="cleanUpSpaces"/> is tokenizer_config.json's clean_up_tokenization_spaces.</summary>
    public static TokenizerJsonPipeline Load(string path, bool cleanUpSpaces)
    {
        var (document, root) = TokenizerJsonElement.Parse(path);
        using (document) return new TokenizerJsonPipeline(root, cleanUpSpaces);
    }

    public int? IdOf(string token) =>
        idOfAddedToken.TryGetValue(token, out int id) || vocabulary.TryGetValue(token, out id) ? id : null;

    public void Encode(string text, List<int> ids)
    {
        var segments = new List<TextSegment>();
        rawTokens.Split(text, atInputStart: true, segments);
        var normalizedSegments = new List<TextSegment>();
        var words = new List<string>();
        foreach (var segment in segments)
        {
            if (segment.Token is { } token)
            {
                ids.Add(token.Id);
                continue;
            }
            normalizedSegments.Clear();
            normalizedTokens.Split(normalizer.Normalize(segment.Text), segment.AtInputStart, normalizedSegments);
            foreach (var piece in normalizedSegments)
            {
                if (piece.Token is { } inner)
                {
                    ids.Add(inner.Id);
                    continue;
                }
                words.Clear();
                preTokenizer.Split(piece.Text, piece.AtInputStart, words);
                foreach (string word in words) model.Encode(word, ids);
            }
        }
    }

    /// <summary>Ids the tokenizer does not know are skipped, as HuggingFace does.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var tokens = new List<string>();
        foreach (int id in ids)
            if (id >= 0 && id < tokenOfId.Length && tokenOfId[id] is { } token) tokens.Add(token);
        string text = decoder.Decode(tokens);
        return cleanUpSpaces ? CleanUpSpaces(text) : text;
    }

    /// <summary>transformers' <c>clean_up_tokenization</c>: removes the space before punctuation and English contractions.</summary>
    private static string CleanUpSpaces(string text) => text
        .Replace(" .", ".", StringComparison.Ordinal).Replace(" ?", "?", StringComparison.Ordinal)
        .Replace(" !", "!", StringComparison.Ordinal).Replace(" ,", ",", StringComparison.Ordinal)
        .Replace(" ' ", "'", StringComparison.Ordinal).Replace(" n't", "n't", StringComparison.Ordinal)
        .Replace(" 'm", "'m", StringComparison.Ordinal).Replace(" 's", "'s", StringComparison.Ordinal)
        .Replace(" 've", "'ve", StringComparison.Ordinal).Replace(" 're", "'re", StringComparison.Ordinal);

    private static Dictionary<string, int> ReadVocabulary(TokenizerJsonElement node)
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in node.Members())
        {
            int value = id.AsInt();
            if (value < 0) throw id.Error("must not be negative");
            vocabulary[token] = value;
        }
        return vocabulary;
    }

    private static List<(string, string)> ReadMerges(TokenizerJsonElement node)
    {
        var merges = new List<(string, string)>();
        foreach (var item in node.Items())
        {
            if (item.Value.ValueKind == JsonValueKind.String)
            {
                string line = item.AsString();
                int space = line.IndexOf(' ');
                if (space <= 0 || space == line.Length - 1 || line.IndexOf(' ', space + 1) >= 0)
                    throw item.Error($"'{line}' must be two tokens separated by one space");
                merges.Add((line[..space], line[(space + 1)..]));
                continue;
            }
            var pair = item.Items().ToList();
            if (pair.Count != 2) throw item.Error("must be a string \"a b\" or a pair [\"a\", \"b\"]");
            merges.Add((pair[0].AsString(), pair[1].AsString()));
        }
        return merges;
    }

    private static AddedToken ReadAddedToken(TokenizerJsonElement node)
    {
        var id = node.Get("id");
        if (id.AsInt() < 0) throw id.Error("must not be negative");
        return new AddedToken(id.AsInt(), node.GetString("content"), node.FindBool("special", false), node.FindBool("lstrip", false),
            node.FindBool("rstrip", false), node.FindBool("single_word", false), node.FindBool("normalized", false));
    }

    /// <summary>The ids a post-processor puts around a single sequence: TemplateProcessing, Roberta/BertProcessing.</summary>
    private (int[] Prefix, int[] Suffix) ReadTemplate(TokenizerJsonElement? node)
    {
        if (node is not { } n) return ([], []);
        var type = n.Get("type");
        switch (type.AsString())
        {
            case "ByteLevel":
                return ([], []);
            case "Sequence":
                foreach (var processor in n.Get("processors").Items())
                {
                    var template = ReadTemplate(processor);
                    if (template.Prefix.Length > 0 || template.Suffix.Length > 0) return template;
                }
                return ([], []);
            case "RobertaProcessing" or "BertProcessing":
                return ([ProcessingTokenId(n.Get("cls"))], [ProcessingTokenId(n.Get("sep"))]);
            case "TemplateProcessing":
                var special = n.Find("special_tokens");
                List<int> prefix = [], suffix = [];
                bool seenSequence = false;
                foreach (var item in n.Get("single").Items())
                {
                    if (item.Find("Sequence") is not null)
                    {
                        seenSequence = true;
                        continue;
                    }
                    var name = item.Get("SpecialToken").Get("id");
                    var ids = special?.Find(name.AsString())?.Get("ids").Items().Select(i => i.AsInt()).ToList()
                        ?? (IdOf(name.AsString()) is int id ? [id] : throw name.Error($"'{name.AsString()}' is neither in post_processor.special_tokens nor in the vocabulary"));
                    (seenSequence ? suffix : prefix).AddRange(ids);
                }
                return ([.. prefix], [.. suffix]);
            default:
                throw type.Unsupported();
        }
    }

    private static int ProcessingTokenId(TokenizerJsonElement pair)
    {
        var items = pair.Items().ToList();
        if (items.Count != 2) throw pair.Error("must be a pair [\"token\", id]");
        return items[1].AsInt();
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
