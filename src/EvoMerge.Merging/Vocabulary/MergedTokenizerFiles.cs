using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Tensors;

namespace EvoMerge.Merging.Vocabulary;

/// <summary>
/// Writes a built vocabulary into a merged model directory that already holds its source's tokenizer files:
/// tokenizer.json (the source's, stripped tokens removed, new tokens appended to <c>added_tokens</c> with their
/// <c>special</c> and <c>normalized</c> flags; merges unchanged), tokenizer_config.json's <c>added_tokens_decoder</c>
/// and added_tokens.json (when present) updated to match. special_tokens_map.json stays the source's, as transformers'
/// add_tokens leaves it.
/// </summary>
public static class MergedTokenizerFiles
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Updates the tokenizer files in <paramref name="directory"/> for <paramref name="vocabulary"/> (nothing when it is the source's unchanged).</summary>
    public static void Write(OutputVocabulary vocabulary, string directory)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.TokenizerJson is not { } tokenizer) return;
        AtomicFile.WriteAllText(Path.Combine(directory, ModelVocabulary.FileName), tokenizer.ToJsonString(Indented) + "\n");

        int count = vocabulary.Tokens.Count;
        string configPath = Path.Combine(directory, "tokenizer_config.json");
        var config = File.Exists(configPath) ? Object(configPath) : [];
        var decoder = config["added_tokens_decoder"] as JsonObject ?? [];
        foreach (var (id, _) in decoder.ToList())
        {
            if (int.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= count) decoder.Remove(id);
        }
        foreach (var added in vocabulary.NewAdded)
        {
            decoder[added["id"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["content"] = added["content"]!.DeepClone(),
                ["lstrip"] = added["lstrip"]?.DeepClone() ?? false,
                ["normalized"] = added["normalized"]?.DeepClone() ?? true,
                ["rstrip"] = added["rstrip"]?.DeepClone() ?? false,
                ["single_word"] = added["single_word"]?.DeepClone() ?? false,
                ["special"] = added["special"]?.DeepClone() ?? false,
            };
        }
        config["added_tokens_decoder"] = decoder;
        AtomicFile.WriteAllText(configPath, config.ToJsonString(Indented) + "\n");

        string addedPath = Path.Combine(directory, "added_tokens.json");
        if (File.Exists(addedPath))
        {
            var map = Object(addedPath);
            foreach (var (token, id) in map.ToList())
            {
                if (id is JsonValue v && v.TryGetValue(out int n) && n >= count) map.Remove(token);
            }
            foreach (var added in vocabulary.NewAdded) map[added["content"]!.GetValue<string>()] = added["id"]!.GetValue<int>();
            AtomicFile.WriteAllText(addedPath, map.ToJsonString(Indented) + "\n");
        }
    }

    private static JsonObject Object(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})");
        }
    }
}
