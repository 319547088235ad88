using System.Text.Json;
using System.Text.Json.Serialization;

namespace EvoMerge.FuzzCorpus;

/// <summary>
/// tests/fuzz-corpus/manifest.json: the seed the corpus was generated with and one entry per file, telling the test
/// which entry point reads it and how (where a recipe's merge writes).
/// </summary>
public sealed record CorpusManifest(int Seed, IReadOnlyList<CorpusEntry> Cases)
{
    /// <summary>The manifest's file name in the corpus directory.</summary>
    public const string FileName = "manifest.json";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };

    /// <summary>Reads the manifest of <paramref name="corpusDirectory"/>.</summary>
    public static CorpusManifest Read(string corpusDirectory) =>
        JsonSerializer.Deserialize<CorpusManifest>(File.ReadAllText(Path.Combine(corpusDirectory, FileName)), Json)
        ?? throw new InvalidDataException($"{corpusDirectory}: empty manifest");
}

/// <summary>
/// One corpus file: <paramref name="File"/> (relative to the corpus, '/'-separated), its entry point
/// (<see cref="CorpusEntry.Safetensors"/>, <see cref="CorpusEntry.SearchConfig"/>, <see cref="CorpusEntry.Task"/> or
/// <see cref="CorpusEntry.Recipe"/>), the mutation, whether it must be refused, and for recipes the output.
/// </summary>
public sealed record CorpusEntry(string File, string Entry, string Kind, bool MustFail, string? Output = null, bool AllowOverwrite = false)
{
    public const string Safetensors = "safetensors";
    public const string SearchConfig = "search_config";
    public const string Task = "task";
    public const string Recipe = "recipe";
}
