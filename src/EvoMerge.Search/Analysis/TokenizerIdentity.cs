using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EvoMerge.Search.Analysis;

/// <summary>
/// What makes two tokenizers the same for merging, read from a model directory: the vocabulary (token → id, in id
/// order) and merges of <c>tokenizer.json</c> (or the bytes of <c>tokenizer.model</c>), the special tokens (the added
/// tokens of <c>tokenizer.json</c> and the <c>*_token</c> entries of <c>tokenizer_config.json</c>), and the chat
/// template (<c>tokenizer_config.json</c>'s <c>chat_template</c>, else <c>chat_template.jinja</c>). Each part is
/// kept as a SHA-256 of a canonical text; a missing part is null.
/// </summary>
public sealed record TokenizerIdentity(string? Vocabulary, string? Merges, string? SpecialTokens, string? ChatTemplate)
{
    /// <summary>Reads a model directory's tokenizer files; malformed JSON names the file.</summary>
    public static TokenizerIdentity Load(string directory)
    {
        string? vocabulary = null, merges = null, special = null, template = null;
        string tokenizerJson = Path.Combine(directory, "tokenizer.json");
        if (File.Exists(tokenizerJson))
        {
            var root = Parse(tokenizerJson);
            var model = root["model"] as JsonObject;
            vocabulary = model?["vocab"] is JsonObject vocab
                ? Hash(string.Join("\n", vocab.Select(p => (p.Key, Id: p.Value?.ToJsonString())).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "\t" + p.Id)))
                : Hash(model?["vocab"]?.ToJsonString());
            merges = Hash(model?["merges"]?.ToJsonString());
            special = root["added_tokens"]?.ToJsonString();
        }
        else if (File.Exists(Path.Combine(directory, "tokenizer.model")))
        {
            vocabulary = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, "tokenizer.model"))));
        }
        string configFile = Path.Combine(directory, "tokenizer_config.json");
        if (File.Exists(configFile))
        {
            var config = Parse(configFile);
            var tokens = config.Where(p => p.Key.EndsWith("_token", StringComparison.Ordinal) || p.Key == "additional_special_tokens")
                .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value?.ToJsonString());
            special = (special ?? "") + "\n" + string.Join("\n", tokens);
            template = config["chat_template"]?.ToJsonString();
        }
        string jinja = Path.Combine(directory, "chat_template.jinja");
        if (template is null && File.Exists(jinja)) template = File.ReadAllText(jinja);
        return new TokenizerIdentity(vocabulary, merges, Hash(special), Hash(template));
    }

    /// <summary>The parts that differ from <paramref name="other"/> ("vocabulary", "merges", "special tokens", "chat template").</summary>
    public IReadOnlyList<string> Differences(TokenizerIdentity other) =>
    [
        .. new[] { ("vocabulary", Vocabulary, other.Vocabulary), ("merges", Merges, other.Merges), ("special tokens", SpecialTokens, other.SpecialTokens), ("chat template", ChatTemplate, other.ChatTemplate) }
            .Where(p => p.Item2 != p.Item3).Select(p => p.Item1),
    ];

    private static JsonObject Parse(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new InvalidDataException($"{file}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not valid JSON ({e.Message})", e);
        }
    }

    private static string? Hash(string? text) => text is null ? null : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
