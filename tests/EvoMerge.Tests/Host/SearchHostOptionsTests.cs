using EvoMerge.Host;
using Xunit;

namespace EvoMerge.Tests.Host;

/// <summary>The hosted search's settings: validation names each setting and its variable; the scrape path; when progress is live.</summary>
public sealed class SearchHostOptionsTests
{
    private static IReadOnlyList<string> Problems(SearchHostOptions options)
    {
        var result = new SearchHostOptionsValidator().Validate(null, options);
        return result.Failed ? [.. result.Failures] : [];
    }

    [Fact]
    public void TheDefaultsAreValid() => Assert.Empty(Problems(new SearchHostOptions()));

    [Theory]
    [InlineData("http://localhost:9000")]
    [InlineData("http://0.0.0.0:0/scrape")]
    public void AnHttpUrlOnAnAddressOrLocalhostIsValid(string url) => Assert.Empty(Problems(new SearchHostOptions { MetricsUrl = url }));

    [Theory]
    [InlineData("https://127.0.0.1:9464", "is not an http:// URL")]
    [InlineData("127.0.0.1:9464", "is not an http:// URL")]
    [InlineData("http://metrics.example:9464", "host 'metrics.example' must be an IP address or localhost")]
    public void ABadMetricsUrlIsNamed(string url, string problem)
    {
        string single = Assert.Single(Problems(new SearchHostOptions { MetricsUrl = url }));
        Assert.StartsWith("--metrics-url / EVOMERGE_METRICS_URL: ", single);
        Assert.Contains(problem, single);
    }

    [Fact]
    public void EveryBadSettingIsReportedAtOnce()
    {
        var problems = Problems(new SearchHostOptions
        {
            MetricsUrl = "ftp://127.0.0.1",
            LogFormat = "xml",
            GracePeriodSeconds = 0,
            Progress = "fancy",
            ProgressIntervalSeconds = double.NaN,
        });
        Assert.Equal(5, problems.Count);
        Assert.StartsWith("--metrics-url / EVOMERGE_METRICS_URL", problems[0]);
        Assert.Equal("--log-format / EVOMERGE_LOG_FORMAT: 'xml' must be text or json", problems[1]);
        Assert.Equal("--grace-period / EVOMERGE_GRACE_PERIOD: 0 must be a positive number of seconds", problems[2]);
        Assert.Equal("--progress / EVOMERGE_PROGRESS: 'fancy' must be auto, live, log or none", problems[3]);
        Assert.Equal("EVOMERGE_PROGRESS_INTERVAL: NaN must be a positive number of seconds", problems[4]);
    }

    [Theory]
    [InlineData(-1.5)]
    [InlineData(double.PositiveInfinity)]
    public void TheGracePeriodMustBeAFinitePositiveNumber(double seconds) =>
        Assert.Contains("EVOMERGE_GRACE_PERIOD", Assert.Single(Problems(new SearchHostOptions { GracePeriodSeconds = seconds })));

    [Theory]
    [InlineData("http://127.0.0.1:9464", "/metrics")]
    [InlineData("http://127.0.0.1:9464/", "/metrics")]
    [InlineData("http://127.0.0.1:9464/custom/", "/custom")]
    [InlineData("http://localhost:0/a/b", "/a/b")]
    public void TheScrapePathIsTheUrlsPathOrMetrics(string url, string path) => Assert.Equal(path, new SearchHostOptions { MetricsUrl = url }.MetricsPath());

    [Theory]
    [InlineData("auto", true, true)]
    [InlineData("auto", false, false)]
    [InlineData("live", false, true)]
    [InlineData("live", true, true)]
    [InlineData("log", true, false)]
    [InlineData("none", true, false)]
    public void ProgressIsLiveWhenAskedForOrOnATerminal(string progress, bool terminal, bool live) =>
        Assert.Equal(live, new SearchHostOptions { Progress = progress }.ShowsLive(new SilentDisplay(terminal)));

    [Theory]
    [InlineData("auto")]
    [InlineData("live")]
    public void WithoutADisplayProgressIsNeverLive(string progress) => Assert.False(new SearchHostOptions { Progress = progress }.ShowsLive(null));

    /// <summary>A display that draws nothing; only whether it has a terminal matters here.</summary>
    private sealed class SilentDisplay(bool terminal) : ILiveProgressDisplay
    {
        public bool HasTerminal => terminal;

        public Task ShowAsync(RunProgress progress, CancellationToken stopping) => Task.CompletedTask;
    }
}
