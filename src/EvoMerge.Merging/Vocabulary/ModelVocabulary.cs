using System.Text.Json;
using System.Text.Json.Nodes;

namespace EvoMerge.Merging.Vocabulary;

/// <summary>
/// A model's vocabulary as HuggingFace tokenizers reports it (<c>get_vocab()</c>): the BPE model's vocabulary plus the
/// added tokens of its <c>tokenizer.json</c>, and the number of embedding rows its config declares
/// (<c>vocab_size</c>). Only BPE tokenizers are read (byte-level as llama3/qwen, SentencePiece-style as llama2), as mergekit.
/// </summary>
public sealed class ModelVocabulary
{
    /// <summary>The tokenizer file name.</summary>
    public const string FileName = "tokenizer.json";

    private ModelVocabulary(string path, JsonObject document, Dictionary<string, int> tokens, List<JsonObject> added, int rows)
    {
        Path = path;
        Document = document;
        Tokens = tokens;
        Added = added;
        Rows = rows;
        _addedContents = added.Select(a => Content(a)!).ToHashSet(StringComparer.Ordinal);
    }

    private readonly HashSet<string> _addedContents;

    /// <summary>The tokenizer.json read.</summary>
    public string Path { get; }

    /// <summary>The whole tokenizer.json (the output vocabulary starts from a copy of its source's).</summary>
    public JsonObject Document { get; }

    /// <summary>Every token with its id: model vocabulary and added tokens.</summary>
    public IReadOnlyDictionary<string, int> Tokens { get; }

    /// <summary>The <c>added_tokens</c> entries (id, content, special, normalized, ...), in file order.</summary>
    public IReadOnlyList<JsonObject> Added { get; }

    /// <summary>The config's vocab_size: tokens with ids at or past it have no embedding row.</summary>
    public int Rows { get; }

    /// <summary>Whether <paramref name="token"/> is one of the added tokens.</summary>
    public bool IsAdded(string token) => _addedContents.Contains(token);

    /// <summary>Reads <paramref name="directory"/>/tokenizer.json; <paramref name="rows"/> is the model's config vocab_size.</summary>
    public static ModelVocabulary Read(string directory, int rows)
    {
        string path = System.IO.Path.Combine(directory, FileName);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})");
        }
        return From(path, root, rows);
    }

    /// <summary>The vocabulary of an already parsed tokenizer.json; <paramref name="path"/> names it in messages.</summary>
    public static ModelVocabulary From(string path, JsonObject root, int rows)
    {
        var model = root["model"] as JsonObject ?? throw new InvalidDataException($"{path}: field 'model' must be an object (the tokenizer model)");
        string type = model["type"]?.GetValue<string>() ?? "BPE";
        if (type != "BPE")
            throw new InvalidDataException($"{path}: field 'model.type' is {type}; vocabularies are merged for BPE tokenizers only (as mergekit)");
        var vocab = model["vocab"] as JsonObject ?? throw new InvalidDataException($"{path}: field 'model.vocab' must be an object of token ids");
        var tokens = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in vocab) tokens[token] = Id(id, path, "model.vocab");
        var added = new List<JsonObject>();
        if (root["added_tokens"] is JsonArray list)
        {
            foreach (var entry in list)
            {
                var obj = entry as JsonObject ?? throw new InvalidDataException($"{path}: field 'added_tokens' must hold objects");
                _ = Content(obj) ?? throw new InvalidDataException($"{path}: field 'added_tokens' has an entry without 'content'");
                tokens[Content(obj)!] = Id(obj["id"], path, "added_tokens.id");
                added.Add(obj);
            }
        }
        return new ModelVocabulary(path, root, tokens, added, rows);
    }

    /// <summary>An added token's content.</summary>
    internal static string? Content(JsonObject added) => added["content"]?.GetValue<string>();

    private static int Id(JsonNode? node, string path, string field) =>
        node is JsonValue value && value.TryGetValue(out int id) && id >= 0 ? id : throw new InvalidDataException($"{path}: field '{field}' holds a value that is not a token id");
}
