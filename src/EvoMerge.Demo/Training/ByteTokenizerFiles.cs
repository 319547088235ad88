using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Tensors;

namespace EvoMerge.Demo.Training;

/// <summary>
/// A byte-level <c>tokenizer.json</c> with no merges: ids 0–255 are the bytes (as GPT-2 byte characters, in byte
/// order, so a token id is its byte value), then <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;pad&gt;</c> and
/// <c>&lt;unk&gt;</c>. The tokenizer config adds BOS, so every scored sequence starts with <c>&lt;s&gt;</c>.
/// </summary>
public static class ByteTokenizerFiles
{
    /// <summary>The beginning-of-sequence token.</summary>
    public const int BosId = 256;

    /// <summary>The end-of-sequence token.</summary>
    public const int EosId = 257;

    /// <summary>The padding token (never a training target).</summary>
    public const int PadId = 258;

    /// <summary>Tokens in all; the models' vocab_size.</summary>
    public const int VocabSize = 260;

    private static readonly string[] Specials = ["<s>", "</s>", "<pad>", "<unk>"];

    /// <summary>Writes tokenizer.json and tokenizer_config.json into <paramref name="directory"/>.</summary>
    public static void Write(string directory)
    {
        var alphabet = ByteAlphabet();
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++) vocab[alphabet[b].ToString()] = b;
        var added = new JsonArray();
        for (int i = 0; i < Specials.Length; i++)
            added.Add(new JsonObject
            {
                ["id"] = 256 + i, ["content"] = Specials[i], ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = false, ["special"] = true,
            });
        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = added,
            ["pre_tokenizer"] = byteLevel.DeepClone(),
            ["decoder"] = byteLevel.DeepClone(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["fuse_unk"] = false, ["byte_fallback"] = false, ["vocab"] = vocab, ["merges"] = new JsonArray(),
            },
        };
        var indented = new JsonSerializerOptions { WriteIndented = true };
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer.json"), tokenizer.ToJsonString(indented) + "\n");
        var config = new JsonObject
        {
            ["add_bos_token"] = true, ["add_eos_token"] = false, ["bos_token"] = "<s>", ["eos_token"] = "</s>", ["pad_token"] = "<pad>",
            ["unk_token"] = "<unk>", ["model_max_length"] = 256, ["tokenizer_class"] = "PreTrainedTokenizerFast",
        };
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), config.ToJsonString(indented) + "\n");
    }

    /// <summary>GPT-2's bytes_to_unicode.</summary>
    private static char[] ByteAlphabet() => Inference.Tokenization.ByteLevelAlphabet.Characters();
}
