using System.Text.Json;

namespace EvoMerge.Tests.Merging.Mergekit;

/// <summary>
/// tests/fixtures/mergekit: mergekit's example and test recipes as YAML over tiny committed models, and what mergekit's
/// own <c>run_merge</c> made of each (<c>expected/mergekit-results.json</c>: "ok", or the exception it raised; the
/// output tensors of the float32 runs in <c>expected/NAME.safetensors</c>).
/// </summary>
internal static class MergekitCorpus
{
    public static string Directory { get; } = RepositoryPaths.Combine("tests", "fixtures", "mergekit");

    public static string Recipe(string name) => Path.Combine(Directory, "recipes", name + ".yml");

    public static string Expected(string name) => Path.Combine(Directory, "expected", name + ".safetensors");

    /// <summary>Every recipe's name (the file name without .yml).</summary>
    public static IReadOnlyList<string> RecipeNames { get; } = System.IO.Directory
        .GetFiles(Path.Combine(Directory, "recipes"), "*.yml")
        .Select(p => Path.GetFileNameWithoutExtension(p))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>mergekit's outcome per recipe name.</summary>
    public static IReadOnlyDictionary<string, string> MergekitResults { get; } =
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Directory, "expected", "mergekit-results.json")))!;

    /// <summary>
    /// The recipe as mergekit's driver ran it for the expected tensors: dtype float32, models as absolute paths, written
    /// into <paramref name="directory"/>.
    /// </summary>
    public static string Float32Copy(string name, string directory)
    {
        string models = Path.Combine(Directory, "models") + Path.DirectorySeparatorChar;
        var lines = File.ReadAllLines(Recipe(name))
            .Select(line => line.Replace("../models/", models, StringComparison.Ordinal))
            .Where(line => !line.StartsWith("dtype:", StringComparison.Ordinal) && !line.StartsWith("out_dtype:", StringComparison.Ordinal))
            .Append("dtype: float32");
        string path = Path.Combine(directory, name + ".yml");
        File.WriteAllLines(path, lines);
        return path;
    }
}
