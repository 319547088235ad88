using System.Text.Json.Nodes;

namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// Writes a minimal GPT-2-style byte-level BPE <c>tokenizer.json</c> (and <c>tokenizer_config.json</c>) for tiny
/// models: ids 0–255 are the bytes (in byte order, as GPT-2 byte characters), then one token per merge in rank order,
/// then <c>&lt;s&gt;</c> (only listed when wanted) and <c>&lt;/s&gt;</c>. With no merges, every byte of a text is one token.
/// </summary>
public static class ByteLevelTokenizerWriter
{
    /// <summary>Tokens in all for <paramref name="merges"/> merges (the model's vocabulary must be at least this large).</summary>
    public static int VocabSize(int merges) => 256 + merges + 2;

    /// <summary>Writes tokenizer.json and tokenizer_config.json into <paramref name="directory"/>.</summary>
    public static void Write(string directory, IReadOnlyList<(string Left, string Right)> merges, bool addBosToken = false, bool withBos = true)
    {
        var alphabet = ByteAlphabet();
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++) vocab[alphabet[b].ToString()] = b;
        for (int m = 0; m < merges.Count; m++) vocab[merges[m].Left + merges[m].Right] = 256 + m;
        int bosId = 256 + merges.Count;
        var added = new JsonArray();
        if (withBos) added.Add(AddedToken(bosId, "<s>"));
        added.Add(AddedToken(bosId + 1, "</s>"));
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = added,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(merges.Select(m => (JsonNode)JsonValue.Create($"{m.Left} {m.Right}")!).ToArray()),
            },
        };
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), tokenizer.ToJsonString());
        var config = new JsonObject { ["add_bos_token"] = addBosToken && withBos, ["eos_token"] = "</s>" };
        if (withBos) config["bos_token"] = "<s>";
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), config.ToJsonString());
    }

    private static JsonObject AddedToken(int id, string content) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
    };

    /// <summary>GPT-2's bytes_to_unicode.</summary>
    private static char[] ByteAlphabet() => ByteLevelAlphabet.Characters();
}
