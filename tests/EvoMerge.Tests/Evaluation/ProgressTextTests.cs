using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>The one ETA formula and the one width cut every progress display uses, on hand-worked values.</summary>
public sealed class ProgressTextTests
{
    [Fact]
    public void TheEtaIsElapsedPerStepTimesStepsLeft()
    {
        // 120 of 400 steps in 35 s: 280 left at 35/120 s each = 81.67 s.
        Assert.Equal(81.6667, ProgressEta.Seconds(120, 400, 35)!.Value, 4);
        Assert.Null(ProgressEta.Seconds(0, 400, 3));
        Assert.Equal(0, ProgressEta.Seconds(400, 400, 90));
        Assert.Equal(0, ProgressEta.Seconds(0, 0, 0));
    }

    [Theory]
    [InlineData("abcdef", 6, "abcdef")]
    [InlineData("abcdef", 4, "abc…")]
    [InlineData("abcdef", 2, "a…")]
    [InlineData("abcdef", 1, "a")]
    [InlineData("abcdef", 0, "")]
    public void TextIsCutToItsWidthWithAnEllipsis(string text, int width, string expected) =>
        Assert.Equal(expected, TextFit.Cut(text, width));
}
