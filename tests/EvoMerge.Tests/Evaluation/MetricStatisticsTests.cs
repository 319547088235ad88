using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>Aggregates and standard errors against numbers worked by hand.</summary>
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
    public void PairedDifferenceIsTheMeanOfTheDocumentDifferences()
    {
        var (difference, error) = MetricStatistics.PairedDifference([1, 1, 0, 1, 0], [1, 0, 0, 1, 1]);
        Assert.Equal(0.0, difference, 12);
        Assert.Equal(Math.Sqrt(0.1), error!.Value, 12); // differences 0 1 0 0 −1: variance 2 / 4, over n = 5

        // Two models that agree on seven of eight documents: the paired error (0.125) is well below the unpaired one.
        double[] x = [1, 1, 1, 0, 0, 0, 1, 1], y = [1, 1, 1, 0, 0, 0, 1, 0];
        var paired = MetricStatistics.PairedDifference(x, y);
        Assert.Equal(0.125, paired.Difference, 12);
        Assert.Equal(0.125, paired.StandardError!.Value, 12);
        double unpaired = Math.Sqrt(Math.Pow(MetricStatistics.Mean(x).StandardError!.Value, 2) + Math.Pow(MetricStatistics.Mean(y).StandardError!.Value, 2));
        Assert.True(unpaired > 0.25, $"unpaired {unpaired}");
        Assert.Throws<ArgumentException>(() => MetricStatistics.PairedDifference([1, 0], [1]));
    }

    [Fact]
    public void MeanOfIndependentErrorsAddsInQuadrature()
    {
        Assert.Equal(2.5, MetricStatistics.MeanOfIndependentError([3, 4]), 12); // √(9 + 16) / 2
        Assert.Equal(0.0, MetricStatistics.MeanOfIndependentError([0, 0, 0]), 12);
    }

    [Fact]
    public void CharacterLengthCountsCodePointsAsPythonDoes()
    {
        Assert.Equal(3, Evaluator.CharacterLength("a\U0001F600b"));
        Assert.Equal(4, Evaluator.CharacterLength("blue"));
    }
}
