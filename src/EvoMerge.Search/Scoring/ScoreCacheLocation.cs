using EvoMerge.Search.Configuration;

namespace EvoMerge.Search.Scoring;

/// <summary>
/// Where a search keeps its <see cref="ScoreCache"/>: <c>EVOMERGE_SCORE_CACHE_DIR</c>, else the config's
/// <c>score_cache_dir</c> (relative to the config file), else <c>$XDG_CACHE_HOME/evomerge/scores</c>, else
/// <c>~/.cache/evomerge/scores</c>. No cache at all when the caller turns it off (<c>--no-score-cache</c>), when
/// <c>EVOMERGE_SCORE_CACHE</c> is <c>false</c> (or <c>0</c>, <c>off</c>, <c>no</c>), or with <c>score_cache: false</c>.
/// </summary>
public static class ScoreCacheLocation
{
    /// <summary>The environment variable that moves the cache.</summary>
    public const string DirectoryVariable = "EVOMERGE_SCORE_CACHE_DIR";

    /// <summary>The environment variable that turns the cache off (<c>false</c>).</summary>
    public const string SwitchVariable = "EVOMERGE_SCORE_CACHE";

    /// <summary>The cache directory of <paramref name="config"/>, or null when the cache is off.</summary>
    public static string? Resolve(SearchConfig config, bool enabled = true)
    {
        if (!enabled || !config.ScoreCache) return null;
        if (Variable(SwitchVariable) is { } flag && flag.Trim().ToLowerInvariant() is "false" or "0" or "off" or "no") return null;
        if (Variable(DirectoryVariable) is { } directory) return Path.GetFullPath(directory);
        if (config.ScoreCacheDirectory is { } configured) return configured;
        string cacheHome = Variable("XDG_CACHE_HOME") is { } xdg && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cacheHome, "evomerge", "scores");
    }

    /// <summary>The cache of <paramref name="config"/> (problems reported through <paramref name="warn"/>), or null when off.</summary>
    public static ScoreCache? Open(SearchConfig config, bool enabled = true, Action<string>? warn = null) =>
        Resolve(config, enabled) is { } directory ? new ScoreCache(directory, warn) : null;

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
