using EvoMerge.Search.Analysis;
using Xunit;

namespace EvoMerge.Tests.Search.Analysis;

/// <summary>The basin rule of docs/analyze.md on hand-worked paths.</summary>
public class InterpolationPathTests
{
    private static InterpolationPath Path(bool higherIsBetter, double[] values, double? standardError) =>
        new("a", "b", "task", "metric", higherIsBetter, InterpolationPath.Points, values, [.. values.Select(_ => standardError)]);

    [Fact]
    public void AnAccuracyDipInTheMiddleBeyondTheEndsNoiseIsABarrier()
    {
        // Ends 0.8 and 0.6: the chord at t = 0.5 is 0.7; accuracy 0.3 there is a loss-like rise of 0.4 (the largest).
        var path = Path(true, [0.8, 0.78, 0.7, 0.6, 0.45, 0.3, 0.4, 0.5, 0.55, 0.6, 0.6], 0.05);
        Assert.Equal(0.4, path.Barrier, 1e-12);
        Assert.Equal(0.1, path.Noise, 1e-12); // 2 · max(SE) = 0.1 > 0.01 · 0.8
        Assert.True(path.HasBarrier);
        Assert.Equal(0.0, path.BestT);
    }

    [Fact]
    public void AMonotonePerplexityPathWithinNoiseIsOneBasin()
    {
        // Perplexity 10 → 8 along a slightly bowed line: the largest rise above the chord is 0.05 at t = 0.5 (9.05 vs 9.0),
        // below the noise max(2 · 0.1, 0.01 · 10) = 0.2.
        var path = Path(false, [10, 9.8, 9.6, 9.4, 9.2, 9.05, 8.8, 8.6, 8.4, 8.2, 8], 0.1);
        Assert.Equal(0.05, path.Barrier, 1e-9);
        Assert.Equal(0.2, path.Noise, 1e-12);
        Assert.False(path.HasBarrier);
        Assert.Equal(1.0, path.BestT);
    }

    [Fact]
    public void WithoutStandardErrorsTheNoiseIsOnePercentOfTheLargerEnd()
    {
        var path = Path(false, [2, 2, 2, 2, 2, 2.1, 2, 2, 2, 2, 4], null);
        Assert.Equal(0.04, path.Noise, 1e-12);
        Assert.False(path.HasBarrier); // 2.1 lies below the chord (3.0 at t = 0.5)
    }
}
