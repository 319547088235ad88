using EvoMerge.Tensors;
using EvoMerge.Tensors.Yaml;

namespace EvoMerge.Search.Configuration;

/// <summary>
/// Where a mergekit-evolve config meets the commands: <c>evomerge search</c> reads either format (a mergekit-evolve
/// config, detected by its top-level <c>genome</c> holding <c>models</c>, is converted in memory by
/// <see cref="EvolveConfigConverter"/>, and the run directory keeps the converted text as its <c>config.yml</c>), and
/// <c>evomerge convert</c> writes the converted config to a file. Warnings go to the writer the caller passes.
/// </summary>
public static class MergekitEvolveImport
{
    /// <summary>
    /// Reads a search config in either format; <paramref name="evolve"/> applies to mergekit-evolve configs only (given
    /// for an EvoMerge config it is an error). Relative paths resolve against the config's directory. The run directory
    /// is <paramref name="runDirectory"/> (<c>--run-dir</c>), else <c>EVOMERGE_RUN_DIR</c>, else the config's <c>run_dir</c>.
    /// </summary>
    public static SearchConfig ReadSearchConfig(string path, EvolveImportOptions evolve, string? runDirectory, TextWriter warnings)
    {
        runDirectory ??= Environment.GetEnvironmentVariable("EVOMERGE_RUN_DIR") is { Length: > 0 } env ? Path.GetFullPath(env) : null;
        var config = ReadEvolve(path, mustBeEvolve: false);
        if (config is null)
        {
            if (!evolve.IsNone)
                throw new SearchConfigException(path, null, "--task-map, --tasks-dir and --max-fevals apply to mergekit-evolve configs (a top-level genome holding models); this is an EvoMerge search config (set budget.evaluations and the objectives' tasks in it)");
            return SearchConfigReader.ReadFile(path, runDirectory: runDirectory);
        }
        if (runDirectory is null)
            throw new SearchConfigException(path, null, "a mergekit-evolve config names no run directory: give --run-dir DIR (or EVOMERGE_RUN_DIR), as mergekit-evolve's --storage-path");
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var conversion = EvolveConfigConverter.Convert(config, directory, evolve, directory);
        foreach (string warning in conversion.Warnings) warnings.WriteLine($"warning: {warning}");
        return ParseConverted(conversion.Text, path, directory, runDirectory);
    }

    /// <summary>
    /// Writes the mergekit-evolve config at <paramref name="input"/> as an EvoMerge search config at
    /// <paramref name="output"/> (atomically, paths relative to the output's directory), after checking that the
    /// result reads as a search config. An existing output (the input among them) is refused: nothing is overwritten.
    /// </summary>
    public static void WriteConverted(string input, string output, EvolveImportOptions evolve, TextWriter warnings)
    {
        string outputPath = Path.GetFullPath(output);
        if (File.Exists(outputPath) || Directory.Exists(outputPath))
        {
            bool isInput = File.Exists(input) && RealPath.Resolve(outputPath) == RealPath.Resolve(Path.GetFullPath(input));
            throw new IOException(isInput ? $"{output}: is the mergekit-evolve config itself; write the converted config to another file" : $"{output}: exists; remove it or name another file");
        }
        var config = ReadEvolve(input, mustBeEvolve: true)!;
        string outputDirectory = Path.GetDirectoryName(outputPath)!;
        if (!Directory.Exists(outputDirectory)) throw new DirectoryNotFoundException($"{output}: directory {outputDirectory} not found");
        var conversion = EvolveConfigConverter.Convert(config, Path.GetDirectoryName(Path.GetFullPath(input))!, evolve, outputDirectory);
        ParseConverted(conversion.Text, input, outputDirectory, Path.Combine(outputDirectory, "runs"));
        foreach (string warning in conversion.Warnings) warnings.WriteLine($"warning: {warning}");
        AtomicFile.WriteAllText(outputPath, conversion.Text);
    }

    /// <summary>The mergekit-evolve config at <paramref name="path"/>, or null when it is an EvoMerge config and <paramref name="mustBeEvolve"/> is false.</summary>
    private static MergekitEvolveConfig? ReadEvolve(string path, bool mustBeEvolve)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config not found", path);
        string text;
        try
        {
            text = YamlDocumentLoader.ReadText(path);
        }
        catch (YamlInputException e)
        {
            throw new SearchConfigException(path, e.Line, e.Problem);
        }
        if (!mustBeEvolve && !MergekitEvolveConfig.IsEvolveDocument(LocatedJson.Parse(text, path).Root)) return null;
        return MergekitEvolveConfig.Read(text, path);
    }

    /// <summary>Parses the converted text; its errors name the mergekit-evolve file and the line of the converted config.</summary>
    private static SearchConfig ParseConverted(string text, string file, string directory, string runDirectory)
    {
        try
        {
            return SearchConfigReader.Parse(text, file, directory, runDirectory: runDirectory);
        }
        catch (SearchConfigException e)
        {
            string prefix = e.Line is { } line ? $"{e.File}:{line}: " : $"{e.File}: ";
            string problem = e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
            throw new SearchConfigException(file, null, $"as converted to an EvoMerge search config (see evomerge convert), line {e.Line}: {problem}");
        }
    }
}
