using System.CommandLine;
using System.Globalization;

namespace EvoMerge.Cli;

/// <summary>The hosted-search options shared by <c>search</c> and <c>resume</c>, turned into configuration overrides for <see cref="EvoMerge.Host.SearchHost"/>.</summary>
public sealed class SearchHostCommandOptions
{
    private readonly Option<string?> _metricsUrl = new("--metrics-url") { Description = "Serve /metrics, /healthz and /status here (default http://127.0.0.1:9464; env EVOMERGE_METRICS_URL)." };
    private readonly Option<string?> _logFormat = new("--log-format") { Description = "Log lines on stderr: text or json (env EVOMERGE_LOG_FORMAT)." };
    private readonly Option<double?> _gracePeriod = new("--grace-period") { Description = "Seconds a stop (Ctrl+C, SIGTERM) may take before exiting anyway (default 30; env EVOMERGE_GRACE_PERIOD)." };
    private readonly Option<string?> _progress = new("--progress") { Description = "auto (live on a terminal, log lines otherwise), live, log or none (env EVOMERGE_PROGRESS)." };
    public Option<bool> NoScoreCache { get; } = new("--no-score-cache") { Description = "Score the reference models in this run, not through the per-machine score cache (env EVOMERGE_SCORE_CACHE=false)." };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { _metricsUrl, _logFormat, _gracePeriod, _progress, NoScoreCache }) command.Options.Add(option);
    }

    /// <summary>The options given, as configuration keys of <see cref="EvoMerge.Host.SearchHostOptions"/>.</summary>
    public IReadOnlyDictionary<string, string?> Overrides(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (parse.GetValue(_metricsUrl) is { } url) overrides["metrics_url"] = url;
        if (parse.GetValue(_logFormat) is { } format) overrides["log_format"] = format;
        if (parse.GetValue(_gracePeriod) is { } grace) overrides["grace_period"] = grace.ToString(CultureInfo.InvariantCulture);
        if (parse.GetValue(_progress) is { } progress) overrides["progress"] = progress;
        if (parse.GetValue(NoScoreCache)) overrides["score_cache"] = "false";
        return overrides;
    }
}
