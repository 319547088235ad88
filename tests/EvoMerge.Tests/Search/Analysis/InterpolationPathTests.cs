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
        // Ends 0.8 and 0.6: the worse end is 0.6; accuracy 0.3 at t = 0.5 is a loss-like rise of 0.3 above it (the largest).
        var path = Path(true, [0.8, 0.78, 0.7, 0.6, 0.45, 0.3, 0.4, 0.5, 0.55, 0.6, 0.6], 0.05);
        Assert.Equal(0.3, path.Barrier, 1e-12);
        Assert.Equal(0.1, path.Noise, 1e-12); // 2 · max(SE) = 0.1 > 0.01 · 0.8
        Assert.True(path.HasBarrier);
        Assert.Equal(0.0, path.BestT);
    }

    [Fact]
    public void AMonotonePerplexityPathWithinNoiseIsOneBasin()
    {
        // Perplexity 10 → 8 with a small bump at t = 0.1: 10.05 is 0.05 above the worse end (10),
        // below the noise max(2 · 0.1, 0.01 · 10) = 0.2.
        var path = Path(false, [10, 10.05, 9.6, 9.4, 9.2, 9.05, 8.8, 8.6, 8.4, 8.2, 8], 0.1);
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
        Assert.False(path.HasBarrier); // 2.1 lies below the worse end (4)
        Assert.Equal(-1.9, path.Barrier, 1e-12);
    }

    [Fact]
    public void AMonotoneLossThatFallsLateIsOneBasinAndABumpAboveBothEndsIsABarrier()
    {
        // Shaped like the demo's gold_nll from base to its addition fine-tune: flat, then falling. It lies above the straight
        // line between the ends (by 4.0 − (0.4 · 4.8 + 0.6 · 1.6) = 1.12 at t = 0.6) but never rises above the worse end
        // (4.8): largest interior value 4.6 at t = 0.1, a "rise" of −0.2.
        var falling = Path(false, [4.8, 4.6, 4.5, 4.4, 4.3, 4.2, 4.0, 3.6, 2.9, 2.1, 1.6], 0.04);
        Assert.Equal(-0.2, falling.Barrier, 1e-12);
        Assert.False(falling.HasBarrier);

        // The same ends with a bump to 5.5 at t = 0.5: 0.7 above 4.8, beyond the noise max(2 · 0.04, 0.01 · 4.8) = 0.08.
        var bump = Path(false, [4.8, 4.9, 5.1, 5.3, 5.4, 5.5, 5.0, 3.6, 2.9, 2.1, 1.6], 0.04);
        Assert.Equal(0.7, bump.Barrier, 1e-12);
        Assert.Equal(0.08, bump.Noise, 1e-12);
        Assert.True(bump.HasBarrier);
    }
}
