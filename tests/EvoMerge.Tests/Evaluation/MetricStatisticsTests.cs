using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

public sealed class MetricStatisticsTests
{
    [Fact]
    public void MeanStandardErrorUsesTheSampleVariance()
    {
        var (mean, error) = MetricStatistics.Mean([1, 0, 1, 1]);
        Assert.Equal(0.75, mean, 12);
        Assert.Equal(0.25, error!.Value, 12);
        Assert.Null(MetricStatistics.Mean([1]).StandardError);
    }

    [Fact]
    public void RatioStandardErrorIsTheDeltaMethod()
    {
        var (ratio, error) = MetricStatistics.Ratio([2, 4], [1, 3]);
        Assert.Equal(1.5, ratio, 12);
        Assert.Equal(0.25, error!.Value, 12);
        Assert.Null(MetricStatistics.Ratio([2], [1]).StandardError);
    }

    [Fact]
    public void CharacterLengthCountsCodePointsAsPythonDoes()
    {
        Assert.Equal(3, Evaluator.CharacterLength("a\U0001F600b"));
        Assert.Equal(4, Evaluator.CharacterLength("blue"));
    }
}
