using System.Globalization;
using System.Text.RegularExpressions;
using EvoMerge.Search.Configuration;

namespace EvoMerge.Demo;

/// <summary>
/// The search config <c>evomerge demo</c> runs: a normal search config file (by default
/// <c>experiments/demo/search.yml</c> of the repository) whose top-level <c>seed</c>, <c>budget</c> and
/// <c>run_dir</c> lines the command's options replace in the text itself, so the copy saved in the run directory
/// (what <c>resume</c> reads) is the search that really ran.
/// </summary>
public static class DemoSearchConfig
{
    /// <summary>Where the demo config lives, relative to the repository root.</summary>
    public const string DefaultRelativePath = "experiments/demo/search.yml";

    /// <summary>
    /// The default demo config: searched for upwards from the current directory, then from the program's own
    /// directory (the launcher builds into the repository's <c>src/EvoMerge.Cli/bin</c>).
    /// </summary>
    public static string Locate()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, DefaultRelativePath);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new FileNotFoundException($"{DefaultRelativePath}: not found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}; run the demo from a clone of the repository or pass --config", DefaultRelativePath);
    }

    /// <summary>
    /// Reads <paramref name="file"/>, replaces the given top-level values in its text and parses the result (paths
    /// relative to the file). An evaluation budget replaces the config's evaluation and generation limits; minutes
    /// replace its wall-clock limit.
    /// </summary>
    public static SearchConfig Read(string file, ulong? seed, int? evaluations, double? minutes, string? runDirectory)
    {
        string full = Path.GetFullPath(file);
        string text = File.ReadAllText(full);
        var original = SearchConfigReader.Parse(text, file, Path.GetDirectoryName(full)!);
        var inv = CultureInfo.InvariantCulture;
        if (seed is { } s) text = Replace(text, file, "seed", s.ToString(inv));
        if (evaluations is not null || minutes is not null)
        {
            var budget = original.Budget;
            var parts = new List<string>();
            if (evaluations is null && budget.Generations is { } g) parts.Add($"generations: {g.ToString(inv)}");
            if ((evaluations ?? budget.Evaluations) is { } e) parts.Add($"evaluations: {e.ToString(inv)}");
            if ((minutes is { } m ? m * 60 : budget.WallClockSeconds) is { } w) parts.Add($"wall_clock_seconds: {w.ToString("0.###", inv)}");
            text = Replace(text, file, "budget", "{" + string.Join(", ", parts) + "}");
        }
        if (runDirectory is not null) text = Replace(text, file, "run_dir", "'" + runDirectory.Replace("'", "''", StringComparison.Ordinal) + "'");
        return SearchConfigReader.Parse(text, file, Path.GetDirectoryName(full)!);
    }

    /// <summary>Replaces the one-line top-level entry <paramref name="key"/> (a block value spanning lines is refused).</summary>
    private static string Replace(string text, string file, string key, string value)
    {
        var line = new Regex($"^{Regex.Escape(key)}:[^\\n]*$", RegexOptions.Multiline);
        var matches = line.Matches(text);
        if (matches.Count != 1 || matches[0].Value.TrimEnd().EndsWith(':'))
            throw new SearchConfigException(file, null, $"{key}: the demo overrides it and needs it as one top-level line ('{key}: value')");
        return line.Replace(text, $"{key}: {value}");
    }
}
