using EvoMerge.Evaluation;
using EvoMerge.Search.Analysis;
using Xunit;
using Xunit.Abstractions;

namespace EvoMerge.Tests.Search.Analysis;

/// <summary>
/// The basin verdict on the demo's multiple-choice path base → addition (README, "Will my models merge?"): addition
/// is a fine-tune of base, so the path is one basin. The verdict, on the gold choice's negative log-likelihood, says so:
/// the loss stays near base's until late on the path and then falls, never rising above the worse end (the old rule,
/// a rise above the straight line between the ends, called this a barrier on accuracy and would on the loss too).
/// </summary>
public class DemoPathLossTests(ITestOutputHelper output)
{
    private static string Demo(params string[] parts) => RepositoryPaths.Combine(parts);

    [Fact]
    public void BaseToAdditionOnAdditionChoiceIsOneBasinOnTheGoldChoiceLoss()
    {
        var report = ModelAnalysis.Run(Demo("models", "base"), [Demo("models", "addition")], [Demo("datasets", "addition", "addition-choice.yml")], _ => { });

        var path = Assert.Single(report.Paths);
        output.WriteLine(report.ToText());
        Assert.Equal(("base", "addition", "addition-choice"), (path.From, path.To, path.Task));
        Assert.Equal(TaskLoss.GoldNll, path.Metric);
        Assert.False(path.HigherIsBetter);
        Assert.True(path.Values[^1] < path.Values[0], $"the fine-tune's gold choices are likelier than base's: {string.Join(" ", path.Values)}");
        Assert.False(path.HasBarrier, $"barrier {path.Barrier} vs noise {path.Noise}: {string.Join(" ", path.Values)}");
        Assert.DoesNotContain("BARRIER", report.ToText(), StringComparison.Ordinal);
        Assert.NotEqual("none", report.Recommendation.Method);

        // The path keeps base's loss until late and then falls: well above the straight line between the ends (the
        // rule's old yardstick, which called this path a barrier), never above the worse end.
        double aboveLine = Enumerable.Range(1, 9).Max(i => path.Values[i] - ((1 - path.T[i]) * path.Values[0] + path.T[i] * path.Values[^1]));
        Assert.True(aboveLine > 10 * path.Noise, $"rise above the line between the ends {aboveLine}");

        var accuracy = Assert.IsType<PathCurve>(path.Score);
        Assert.Equal("acc", accuracy.Metric);
        Assert.True(accuracy.Values[^1] > accuracy.Values[0], string.Join(" ", accuracy.Values));
    }
}
