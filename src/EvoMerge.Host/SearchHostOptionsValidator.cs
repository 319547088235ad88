using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace EvoMerge.Host;

/// <summary>Checks <see cref="SearchHostOptions"/> when the host starts; every problem names the setting and its environment variable.</summary>
public sealed class SearchHostOptionsValidator : IValidateOptions<SearchHostOptions>
{
    public ValidateOptionsResult Validate(string? name, SearchHostOptions options)
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(options.MetricsUrl, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            problems.Add($"--metrics-url / EVOMERGE_METRICS_URL: '{options.MetricsUrl}' is not an http:// URL (e.g. {SearchHostOptions.DefaultMetricsUrl})");
        else if (!IPAddress.TryParse(uri.Host, out _) && uri.Host != "localhost")
            problems.Add($"--metrics-url / EVOMERGE_METRICS_URL: host '{uri.Host}' must be an IP address or localhost");
        if (options.LogFormat is not ("text" or "json"))
            problems.Add($"--log-format / EVOMERGE_LOG_FORMAT: '{options.LogFormat}' must be text or json");
        if (!double.IsFinite(options.GracePeriodSeconds) || options.GracePeriodSeconds <= 0)
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"--grace-period / EVOMERGE_GRACE_PERIOD: {options.GracePeriodSeconds} must be a positive number of seconds"));
        if (options.Progress is not ("auto" or "live" or "log" or "none"))
            problems.Add($"--progress / EVOMERGE_PROGRESS: '{options.Progress}' must be auto, live, log or none");
        if (!double.IsFinite(options.ProgressIntervalSeconds) || options.ProgressIntervalSeconds <= 0)
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"EVOMERGE_PROGRESS_INTERVAL: {options.ProgressIntervalSeconds} must be a positive number of seconds"));
        if (!double.IsFinite(options.FinalScrapeWaitSeconds) || options.FinalScrapeWaitSeconds < 0)
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"EVOMERGE_FINAL_SCRAPE_WAIT: {options.FinalScrapeWaitSeconds} must be 0 or a positive number of seconds"));
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
