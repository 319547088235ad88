using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>search --dry-run</c>'s time per evaluation against a real search of the demo config through the built CLI (the
/// bundled demo config with absolute paths, a population of 4 and a budget of 4 evaluations: one generation, every
/// candidate scored on every item since there is no front to screen against yet). The number compared is the median
/// over that generation's candidates of materialise + score seconds, as the search logs each one
/// (<c>[0.05s merge, 2.10s score]</c>); the dry run's estimate must be within 2× of it.
/// </summary>
[Collection(TimingCollection.Name)]
public class DryRunEstimateTests
{
    [Fact]
    public void DryRunTimePerEvaluationIsWithinTwiceTheSearchsMeasuredTime()
    {
        using var temp = new TempDirectory();
        string config = SmallDemoConfig.Write(temp, evaluations: 4);

        var dry = CliRunner.Run(TimeSpan.FromMinutes(5), "search", config, "--dry-run");
        Assert.True(dry.ExitCode == 0, dry.Stderr);
        var line = Regex.Match(dry.Stdout, @"time per evaluation: ~([0-9.]+) s \(([0-9.]+) s to materialise \+ ~([0-9.]+) s to score 460 items");
        Assert.True(line.Success, dry.Stdout);
        double estimate = Seconds(line.Groups[1].Value);
        Assert.Equal(Seconds(line.Groups[2].Value) + Seconds(line.Groups[3].Value), estimate, 0.011);
        Assert.Matches(@"time for the budget: ~[0-9.]+ (s|min|h) for 4 evaluations at most, \+ ~[0-9.]+ (s|min|h) to score 7 reference models once", dry.Stdout);

        var search = CliRunner.Run(TimeSpan.FromMinutes(10), "search", config, "--run-dir", temp.Combine("run"), "--progress", "log");
        Assert.True(search.ExitCode == 0, search.Stderr);
        var measured = Regex.Matches(search.Stderr, @"candidate \d+: \w+ ok .*\[([0-9.]+)s merge, ([0-9.]+)s score\]")
            .Select(m => Seconds(m.Groups[1].Value) + Seconds(m.Groups[2].Value)).Order().ToList();
        Assert.True(measured.Count == 4, search.Stderr);
        double median = (measured[1] + measured[2]) / 2;
        Assert.True(estimate <= 2 * median && estimate >= median / 2,
            $"dry run estimates {estimate:F2} s per evaluation, the search measured {string.Join(", ", measured)} s (median {median:F2} s)\n{dry.Stdout}");
    }

    private static double Seconds(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}
