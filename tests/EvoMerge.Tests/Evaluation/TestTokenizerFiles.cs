using EvoMerge.Inference.Tokenization;

namespace EvoMerge.Tests.Evaluation;

/// <summary>
/// The test models' byte-level BPE tokenizer (<see cref="ByteLevelTokenizerWriter"/>): ids 0–255 are the bytes,
/// then a few merges, then <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c>.
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
    public static void Write(string directory, bool addBosToken = false, bool withBos = true) =>
        ByteLevelTokenizerWriter.Write(directory, Merges, addBosToken, withBos);
}
