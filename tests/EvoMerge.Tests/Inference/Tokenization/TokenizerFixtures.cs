using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Inference.Tokenization;

namespace EvoMerge.Tests.Inference.Tokenization;

/// <summary>
/// The committed tokenizer fixtures (tests/fixtures/tokenizers): gzipped tokenizer files unpacked once per test run
/// into a temporary model directory each, loaded tokenizers shared between tests, and the expected HF ids.
/// </summary>
public static class TokenizerFixtures
{
    public static readonly string[] Names = ["qwen3", "llama3", "llama2"];

    /// <summary>Variants of the fixtures (see expected-ids.json "variants"): GPT-2's pre-tokenizer, Metaspace.</summary>
    public static readonly string[] Variants = ["qwen3-gpt2-pretokenizer", "llama2-metaspace"];

    /// <summary>tests/fixtures/tokenizers, found by walking up from the test binaries.</summary>
    public static string FixtureRoot { get; } = FindFixtureRoot();

    private static readonly ConcurrentDictionary<string, Lazy<TextTokenizer>> Loaded = new();
    private static readonly Lazy<string> UnpackRoot = new(() =>
    {
        string root = Path.Combine(Path.GetTempPath(), $"evomerge-tokenizers-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return root;
    });
    private static readonly Lazy<ExpectedIds> Expected = new(() =>
        JsonSerializer.Deserialize<ExpectedIds>(File.ReadAllText(Path.Combine(FixtureRoot, "expected-ids.json")))!);

    public static ExpectedIds ExpectedIds => Expected.Value;

    /// <summary>A model directory holding the unpacked files of fixture (or variant) <paramref name="name"/>.</summary>
    public static string ModelDirectory(string name)
    {
        string dir = Path.Combine(UnpackRoot.Value, name);
        if (Directory.Exists(dir)) return dir;
        string staging = dir + ".partial-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(staging);
        if (ExpectedIds.Variants.TryGetValue(name, out var variant))
        {
            string baseDir = ModelDirectory(variant.Base);
            foreach (string file in Directory.GetFiles(baseDir)) File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(baseDir, "tokenizer.json")))!.AsObject();
            foreach (var (field, value) in variant.Replace) json[field] = value?.DeepClone();
            File.WriteAllText(Path.Combine(staging, "tokenizer.json"), json.ToJsonString());
        }
        else
            foreach (string gz in Directory.GetFiles(Path.Combine(FixtureRoot, name), "*.gz"))
                Gunzip(gz, Path.Combine(staging, Path.GetFileNameWithoutExtension(gz)));
        try { Directory.Move(staging, dir); } catch (IOException) when (Directory.Exists(dir)) { Directory.Delete(staging, true); }
        return dir;
    }

    /// <summary>The loaded tokenizer of fixture <paramref name="name"/>, shared by all tests.</summary>
    public static TextTokenizer Tokenizer(string name) =>
        Loaded.GetOrAdd(name, n => new Lazy<TextTokenizer>(() => TextTokenizer.Load(ModelDirectory(n)))).Value;

    /// <summary>A fresh empty directory for a test's own tokenizer files.</summary>
    public static string ScratchDirectory()
    {
        string dir = Path.Combine(UnpackRoot.Value, "scratch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void Gunzip(string source, string destination)
    {
        using var input = new GZipStream(File.OpenRead(source), CompressionMode.Decompress);
        using var output = File.Create(destination);
        input.CopyTo(output);
    }

    private static string FindFixtureRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "fixtures", "tokenizers");
            if (File.Exists(Path.Combine(candidate, "expected-ids.json"))) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/fixtures/tokenizers not found above {AppContext.BaseDirectory}");
    }
}
