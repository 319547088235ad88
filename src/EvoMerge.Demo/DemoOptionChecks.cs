using System.Globalization;
using EvoMerge.Search.Configuration;

namespace EvoMerge.Demo;

/// <summary>
/// The checks and the banner of <c>evomerge demo</c> that do not depend on the command line's parser: which options
/// exclude each other, which values are out of range, and the lines printed before the search starts.
/// </summary>
public static class DemoOptionChecks
{
    /// <summary>
    /// For <c>--table-only</c>: the finished run directory to score, after refusing <c>--search-only</c> and the search
    /// options (<paramref name="searchOptionsGiven"/>) that cannot apply to a search already run.
    /// </summary>
    public static string TableOnlyRun(bool searchOnly, IReadOnlyList<string> searchOptionsGiven, string? runDirectory)
    {
        if (searchOnly) throw new ArgumentException("--table-only and --search-only exclude each other");
        if (searchOptionsGiven.Count > 0)
            throw new ArgumentException($"--table-only scores the finished run in --run-dir as it was searched: {string.Join(", ", searchOptionsGiven)} cannot apply");
        return runDirectory ?? throw new ArgumentException("--table-only: give the finished run with --run-dir");
    }

    /// <summary>Refuses a non-positive budget, wall-clock guard or document limit.</summary>
    public static void Ranges(int? budget, double? minutes, int? limit)
    {
        if (budget is <= 0) throw new ArgumentException("--budget: must be a positive number of evaluations");
        if (minutes is { } m && !(m > 0)) throw new ArgumentException("--minutes: must be positive");
        if (limit is <= 0) throw new ArgumentException("--limit: must be positive");
    }

    /// <summary>
    /// The metrics address the demo serves: the one given (as an override or in <c>EVOMERGE_METRICS_URL</c>), otherwise
    /// <paramref name="defaultUrl"/> or a free port on its address, which is then added to <paramref name="overrides"/>.
    /// </summary>
    public static string MetricsUrl(IDictionary<string, string?> overrides, string? environmentUrl, string defaultUrl)
    {
        if (overrides.TryGetValue("metrics_url", out var given) && given is not null) return given;
        if (environmentUrl is { Length: > 0 }) return environmentUrl;
        return overrides["metrics_url"] = DemoLocations.MetricsUrl(defaultUrl);
    }

    /// <summary>The lines printed before the demo search starts: config, budget, run directory and metrics address.</summary>
    public static IEnumerable<string> Banner(SearchConfig settings, string metrics)
    {
        var inv = CultureInfo.InvariantCulture;
        var b = settings.Budget;
        yield return $"evomerge demo: {settings.File}, seed {settings.Seed}, optimizer {settings.Optimizer.OptimizerName}, {settings.Models.Count} sources, objectives {string.Join(", ", settings.Objectives.Select(o => o.Name))} (dev)";
        yield return string.Create(inv, $"budget: {b.Evaluations?.ToString(inv) ?? "-"} evaluations, {b.Generations?.ToString(inv) ?? "-"} generations, {(b.WallClockSeconds is { } w ? $"{w:0} s" : "-")} wall clock (whichever comes first)");
        yield return $"run directory: {settings.RunDirectory}";
        yield return $"metrics: {metrics.TrimEnd('/')}{(new Uri(metrics).AbsolutePath is "/" or "" ? "/metrics" : "")}  (/status and /healthz on the same address)";
    }
}
