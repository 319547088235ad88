using System.IO.Compression;
using System.Text.Json.Nodes;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Tensors;
using EvoMerge.Tests.Merging.Execution;
using TorchSharp;

namespace EvoMerge.Tests.Merging.Vocabulary;

/// <summary>
/// Tiny Llama models with real tokenizers for the vocabulary tests: a byte-level BPE tokenizer
/// (<see cref="ByteLevelTokenizerWriter"/>: 256 bytes, then &lt;s&gt; and &lt;/s&gt;) or the llama2 fixture
/// (SentencePiece-style BPE), with extra added tokens appended; the model's embedding and head have one row per token.
/// </summary>
internal static class VocabularyWorkspace
{
    public const string Embed = "model.embed_tokens.weight";
    public const string Head = "lm_head.weight";

    /// <summary>
    /// A byte-level model: 256 bytes, &lt;s&gt; (id 256, when <paramref name="withBos"/>; else no token has that id), &lt;/s&gt; (257),
    /// then <paramref name="added"/> as special added tokens.
    /// </summary>
    public static void ByteLevel(RecipeWorkspace ws, string name, long seed, bool withBos = true, params string[] added)
    {
        int rows = ByteLevelTokenizerWriter.VocabSize(0) + added.Length;
        ws.Model(name, Spec(rows), seed);
        string dir = Path.Combine(ws.Root, name);
        ByteLevelTokenizerWriter.Write(dir, [], withBos: withBos);
        AddTokens(dir, added);
    }

    /// <summary>A model with the llama2 fixture tokenizer (32000 tokens) plus <paramref name="added"/>.</summary>
    public static void Llama2(RecipeWorkspace ws, string name, long seed, params string[] added)
    {
        ws.Model(name, Spec(32000 + added.Length, hidden: 8), seed);
        string dir = Path.Combine(ws.Root, name);
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
        {
            using var gz = new GZipStream(File.OpenRead(RepositoryPaths.Combine("tests", "fixtures", "tokenizers", "llama2", file + ".gz")), CompressionMode.Decompress);
            using var output = File.Create(Path.Combine(dir, file));
            gz.CopyTo(output);
        }
        AddTokens(dir, added);
    }

    public static TinyDecoderSpec Spec(int rows, int hidden = 16) =>
        new() { Layers = 1, HiddenSize = hidden, IntermediateSize = 24, Heads = 2, KeyValueHeads = 1, VocabSize = rows };

    /// <summary>Appends special, unnormalized added tokens with the next ids to tokenizer.json.</summary>
    public static void AddTokens(string dir, IReadOnlyList<string> tokens)
    {
        string path = Path.Combine(dir, "tokenizer.json");
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var added = root["added_tokens"]!.AsArray();
        int next = Math.Max(root["model"]!["vocab"]!.AsObject().Max(t => t.Value!.GetValue<int>()), added.Max(a => a!["id"]!.GetValue<int>())) + 1;
        foreach (string token in tokens)
        {
            added.Add(new JsonObject
            {
                ["id"] = next++, ["content"] = token, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            });
        }
        File.WriteAllText(path, root.ToJsonString());
    }

    public static IReadOnlyList<int> Ids(string dir, string text) => TextTokenizer.Load(dir).Encode(text, false);

    /// <summary>Row <paramref name="row"/> of a 2-D tensor, as float64 values.</summary>
    public static double[] Row(torch.Tensor tensor, long row) => tensor[row].to(torch.ScalarType.Float64).data<double>().ToArray();

    /// <summary>Asserts two rows agree to 1e-6 (float32 sums of at most three terms).</summary>
    public static void Near(double[] expected, double[] actual, string what)
    {
        Xunit.Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Xunit.Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-6, $"{what}[{i}]: {actual[i]}, expected {expected[i]}");
    }

    public static double[] Add(double[] a, double[] b, double scale = 1) => a.Select((x, i) => x + scale * b[i]).ToArray();

    public static double[] Scale(double[] a, double scale) => a.Select(x => x * scale).ToArray();

    public static double[] Zeros(long n) => new double[n];
}
