using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.Tests.Demo;

/// <summary>The demo's option checks: excluded combinations, ranges and the metrics address it serves.</summary>
public class DemoOptionChecksTests
{
    [Fact]
    public void TableOnlyRefusesSearchOptionsAndNeedsARunDirectory()
    {
        Assert.Equal("--table-only and --search-only exclude each other",
            Assert.Throws<ArgumentException>(() => DemoOptionChecks.TableOnlyRun(true, [], "/r")).Message);
        Assert.Contains("--seed, --budget cannot apply", Assert.Throws<ArgumentException>(() => DemoOptionChecks.TableOnlyRun(false, ["--seed", "--budget"], "/r")).Message);
        Assert.Contains("give the finished run with --run-dir", Assert.Throws<ArgumentException>(() => DemoOptionChecks.TableOnlyRun(false, [], null)).Message);
        Assert.Equal("/r", DemoOptionChecks.TableOnlyRun(false, [], "/r"));
    }

    [Theory]
    [InlineData(0, null, null, "--budget")]
    [InlineData(null, 0.0, null, "--minutes")]
    [InlineData(null, double.NaN, null, "--minutes")]
    [InlineData(null, null, -1, "--limit")]
    public void NonPositiveValuesAreRefusedNamingTheOption(int? budget, double? minutes, int? limit, string option) =>
        Assert.StartsWith(option + ":", Assert.Throws<ArgumentException>(() => DemoOptionChecks.Ranges(budget, minutes, limit)).Message);

    [Fact]
    public void MetricsAddressIsTheGivenOneOrAFreePortThatBecomesAnOverride()
    {
        var given = new Dictionary<string, string?> { ["metrics_url"] = "http://127.0.0.1:1" };
        Assert.Equal("http://127.0.0.1:1", DemoOptionChecks.MetricsUrl(given, "http://127.0.0.1:2", "http://127.0.0.1:3"));
        var fromEnvironment = new Dictionary<string, string?>();
        Assert.Equal("http://127.0.0.1:2", DemoOptionChecks.MetricsUrl(fromEnvironment, "http://127.0.0.1:2", "http://127.0.0.1:3"));
        Assert.Empty(fromEnvironment);
        var chosen = new Dictionary<string, string?>();
        string url = DemoOptionChecks.MetricsUrl(chosen, null, "http://127.0.0.1:0");
        Assert.StartsWith("http://127.0.0.1:", url);
        Assert.NotEqual("http://127.0.0.1:0", url);
        Assert.Equal(url, chosen["metrics_url"]);
    }
}
