using EvoMerge.Host;
using Xunit;

namespace EvoMerge.Tests.Host;

/// <summary>A sweep's progress line (<c>--progress log</c>) and live rows (<c>--progress live</c>), on hand-written statuses.</summary>
public class SweepProgressTextTests
{
    private static SweepStatus Status(int done, string? current, SweepBest? best, double? eta) =>
        new("s", "/runs/s", "sweep", "running", true, "abc", "1.0", done, 19, current, best, done, 0, 0, 0, 30, eta);

    [Fact]
    public void TheLogLineNamesPointsCurrentBestAndEta()
    {
        Assert.Equal("progress: sweep 7/19 points, current grid density=0.6, best grid density=0.4=0.81236, eta 00:01:22",
            SweepProgressLog.Line(Status(7, "grid density=0.6", new SweepBest("grid", "density=0.4", 0.812361), 81.6)));
        Assert.Equal("progress: sweep 0/19 points, current -, best -, eta unknown", SweepProgressLog.Line(Status(0, null, null, null)));
    }

    [Fact]
    public void TheLiveRowIsThePointsCutToTheWidthAndTheSummaryTheBest()
    {
        var (bars, summary) = SweepDisplayRows.Of(Status(7, "grid density=0.6", new SweepBest("grid", "density=0.4", 0.812361), 81.6), 20);
        var bar = Assert.Single(bars);
        Assert.Equal(("points 7/19: grid d…", 7.0, 19.0), bar); // 19 characters and the ellipsis
        Assert.Equal("running: best grid density=0.4 dev 0.8124", summary);
        var (none, empty) = SweepDisplayRows.Of(null, 20);
        Assert.Empty(none);
        Assert.Equal("", empty);
    }
}
