using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EvoMerge.FuzzCorpus;

/// <summary>
/// Writes the whole corpus into a directory: safetensors/, search-configs/, tasks/ (each YAML with its Parquet data
/// beside it), recipes/ and manifest.json. Every category draws from its own <see cref="Random"/> seeded from the one
/// seed, so the same seed writes the same bytes.
/// </summary>
public static class CorpusWriter
{
    /// <summary>The seed the committed corpus was generated with.</summary>
    public const int DefaultSeed = 18;

    /// <summary>Search configs larger than this are left out of the stored corpus (the battery test still runs them).</summary>
    public const int MaxStoredConfigBytes = 64 * 1024;

    /// <summary>Writes the corpus for <paramref name="seed"/> into <paramref name="directory"/> (created; existing case files are replaced).</summary>
    public static CorpusManifest Write(string directory, int seed = DefaultSeed)
    {
        var entries = new List<CorpusEntry>();
        Category(directory, "safetensors", ".safetensors", CorpusEntry.Safetensors, SafetensorsMutations.Generate(new Random(seed)), entries);
        var configs = SearchConfigMutations.Generate(new Random(seed + 1))
            .Where(c => c.Bytes.Length <= MaxStoredConfigBytes)
            .Select(c => new FuzzCase(c.Kind, c.Bytes))
            .Concat(SearchConfigSemantics.Generate())
            .ToList();
        Category(directory, "search-configs", ".yml", CorpusEntry.SearchConfig, configs, entries);
        Category(directory, "tasks", ".yml", CorpusEntry.Task, TaskMutations.Generate(new Random(seed + 2)), entries);
        Category(directory, "recipes", ".yml", CorpusEntry.Recipe, RecipeMutations.Generate(new Random(seed + 3)), entries);
        var manifest = new CorpusManifest(seed, entries);
        File.WriteAllText(Path.Combine(directory, CorpusManifest.FileName), JsonSerializer.Serialize(manifest, CorpusManifest.Json) + "\n");
        return manifest;
    }

    private static void Category(string root, string folder, string extension, string entry, List<FuzzCase> cases, List<CorpusEntry> entries)
    {
        string directory = Path.Combine(root, folder);
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            string stem = string.Create(CultureInfo.InvariantCulture, $"{i:D3}-{c.Kind}");
            byte[] bytes = c.Bytes;
            foreach (var (name, companion) in c.Companions)
            {
                string own = stem + Path.GetExtension(name);
                File.WriteAllBytes(Path.Combine(directory, own), companion);
                bytes = Replace(bytes, Encoding.ASCII.GetBytes(name), Encoding.ASCII.GetBytes(own));
            }
            File.WriteAllBytes(Path.Combine(directory, stem + extension), bytes);
            entries.Add(new CorpusEntry($"{folder}/{stem}{extension}", entry, c.Kind, c.MustFail, c.Output, c.AllowOverwrite));
        }
    }

    private static byte[] Replace(byte[] bytes, byte[] find, byte[] replace)
    {
        var result = new List<byte>(bytes.Length);
        for (int i = 0; i < bytes.Length;)
        {
            if (bytes.AsSpan(i).StartsWith(find))
            {
                result.AddRange(replace);
                i += find.Length;
            }
            else
            {
                result.Add(bytes[i++]);
            }
        }
        return [.. result];
    }
}
