using System.Text.Json.Nodes;

namespace EvoMerge.Tests.Evaluation;

/// <summary>
/// A minimal GPT-2-style byte-level BPE <c>tokenizer.json</c> for tiny test models: ids 0–255 are the bytes
/// (in byte order, as GPT-2 byte characters), then a few merges, then <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c>.
/// </summary>
public static class TestTokenizerFiles
{
    /// <summary>Merges, in rank order; each adds one token after the 256 byte tokens.</summary>
    public static readonly (string Left, string Right)[] Merges =
    [
        ("b", "c"), ("Ġ", "b"), ("Ġb", "l"), ("u", "e"), ("Ġbl", "ue"), ("Ġ", "y"), ("e", "s"), ("Ġy", "es"), ("Ġ", "n"), ("Ġn", "o"),
        ("Ġ", "r"), ("e", "d"), ("Ġr", "ed"), ("Ġ", "g"), ("r", "e"), ("e", "n"), ("re", "en"), ("Ġg", "reen"),
    ];

    public static int BosId => 256 + Merges.Length;

    public static int EosId => BosId + 1;

    /// <summary>Tokens in all (the model's vocabulary must be at least this large).</summary>
    public static int VocabSize => EosId + 1;

    /// <summary>The id of a merged token such as "Ġblue".</summary>
    public static int MergedId(string token) =>
        256 + Array.FindIndex(Merges, m => m.Left + m.Right == token) is var id && id >= 256 ? id : throw new ArgumentException(token);

    /// <summary>The id of a single byte.</summary>
    public static int ByteId(char c) => c;

    /// <summary>Writes tokenizer.json and tokenizer_config.json into <paramref name="directory"/>.</summary>
    public static void Write(string directory, bool addBosToken = false, bool withBos = true)
    {
        var alphabet = ByteAlphabet();
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++) vocab[alphabet[b].ToString()] = b;
        for (int m = 0; m < Merges.Length; m++) vocab[Merges[m].Left + Merges[m].Right] = 256 + m;
        var added = new JsonArray();
        if (withBos) added.Add(AddedToken(BosId, "<s>"));
        added.Add(AddedToken(EosId, "</s>"));
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
                ["merges"] = new JsonArray(Merges.Select(m => (JsonNode)JsonValue.Create($"{m.Left} {m.Right}")!).ToArray()),
            },
        };
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
    private static char[] ByteAlphabet()
    {
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + next++);
        }
        return map;
    }
}
