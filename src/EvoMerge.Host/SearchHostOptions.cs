using Microsoft.Extensions.Configuration;

namespace EvoMerge.Host;

/// <summary>
/// Settings of a hosted search, bound from (later wins) defaults, <c>EVOMERGE_</c>-prefixed environment variables
/// (<c>EVOMERGE_METRICS_URL</c>, <c>EVOMERGE_LOG_FORMAT</c>, <c>EVOMERGE_GRACE_PERIOD</c>, <c>EVOMERGE_PROGRESS</c>,
/// <c>EVOMERGE_PROGRESS_INTERVAL</c>, <c>EVOMERGE_FINAL_SCRAPE_WAIT</c>, <c>EVOMERGE_SCORE_CACHE</c>) and command-line options.
/// </summary>
public sealed class SearchHostOptions
{
    /// <summary>The default metrics endpoint.</summary>
    public const string DefaultMetricsUrl = "http://127.0.0.1:9464";

    /// <summary>Where <c>/metrics</c>, <c>/healthz</c> and <c>/status</c> are served (an empty path means <c>/metrics</c>).</summary>
    [ConfigurationKeyName("metrics_url")]
    public string MetricsUrl { get; set; } = DefaultMetricsUrl;

    /// <summary><c>text</c> (one line per entry) or <c>json</c> (JSON lines).</summary>
    [ConfigurationKeyName("log_format")]
    public string LogFormat { get; set; } = "text";

    /// <summary>Seconds a stop request may take before the process exits anyway.</summary>
    [ConfigurationKeyName("grace_period")]
    public double GracePeriodSeconds { get; set; } = 30;

    /// <summary>
    /// <c>auto</c> (a live display on a terminal, log lines otherwise), <c>live</c>, <c>log</c> or <c>none</c>; a live
    /// display is the caller's <see cref="ILiveProgressDisplay"/> (without one, log lines).
    /// </summary>
    [ConfigurationKeyName("progress")]
    public string Progress { get; set; } = "auto";

    /// <summary>Seconds between periodic progress log lines.</summary>
    [ConfigurationKeyName("progress_interval")]
    public double ProgressIntervalSeconds { get; set; } = 10;

    /// <summary>
    /// Seconds after the search reached its budget during which <c>/metrics</c>, <c>/status</c> and <c>/healthz</c> stay
    /// up until a scrape has seen the final values (the host stops at the first such scrape, or when they have passed);
    /// 0 stops at once. Only a run that was scraped at all waits. The default covers Prometheus's usual 15 s scrape
    /// interval (and the 5 s of <c>deploy/prometheus/prometheus.yml</c>).
    /// </summary>
    [ConfigurationKeyName("final_scrape_wait")]
    public double FinalScrapeWaitSeconds { get; set; } = 15;

    /// <summary>
    /// Whether reference scores go through the per-machine score cache (with the config's <c>score_cache</c>; see
    /// <see cref="EvoMerge.Search.Scoring.ScoreCacheLocation"/>); <c>--no-score-cache</c> or
    /// <c>EVOMERGE_SCORE_CACHE=false</c> turns it off.
    /// </summary>
    [ConfigurationKeyName("score_cache")]
    public bool ScoreCache { get; set; } = true;

    /// <summary>True when progress goes on <paramref name="display"/>: <c>live</c>, or <c>auto</c> on a terminal; never without a display.</summary>
    public bool ShowsLive(ILiveProgressDisplay? display) => ShowsLive(display is not null, display?.HasTerminal == true);

    /// <summary>True when progress goes on a live display (a search's or a sweep's): there is one, and progress is <c>live</c>, or <c>auto</c> on a terminal.</summary>
    public bool ShowsLive(bool hasDisplay, bool hasTerminal) => hasDisplay && (Progress == "live" || (Progress == "auto" && hasTerminal));

    /// <summary>The metrics URL parsed (valid after validation).</summary>
    public Uri MetricsUri() => new(MetricsUrl, UriKind.Absolute);

    /// <summary>The scrape path from <see cref="MetricsUrl"/>.</summary>
    public string MetricsPath() => MetricsUri().AbsolutePath is "/" or "" ? "/metrics" : MetricsUri().AbsolutePath.TrimEnd('/');
}
