using EvoMerge.Search.Analysis;
using Xunit;

namespace EvoMerge.Tests.Search.Analysis;

/// <summary>
/// Rules R5 (one model: WiSE-FT-style task arithmetic) and R6 (two agreeing models: slerp) of docs/analyze.md on
/// hand-built analyses: every check passed, whole-model statistics and paths written out by hand.
/// </summary>
public class MergeRecommendationTests
{
    private static List<CompatibilityCheck> Passing(params string[] models) =>
        [.. models.SelectMany(m => new[] { "architecture", "tensor shapes", "tokenizer", "base match" }.Select(a => new CompatibilityCheck(m, a, true, "ok")))];

    /// <summary>Whole-model statistics: 0.1 relative norm each, every model keeping 0.85 of its energy from density 0.3 on.</summary>
    private static GroupStatistics Total(string[] models, params double[] signConflicts)
    {
        var pairs = new List<PairStatistics>();
        int p = 0;
        for (int i = 0; i < models.Length; i++)
            for (int j = i + 1; j < models.Length; j++) pairs.Add(new PairStatistics(models[i], models[j], 0.2, signConflicts[p++], 0.1));
        IReadOnlyList<double> kept = [0.5, 0.7, 0.85, 0.9, 0.95, 0.97, 0.99, 1.0, 1.0];
        return new GroupStatistics("all", null, TensorKindGroup.AllKinds, 1000, 10.0, [.. models.Select(_ => 1.0)], [.. models.Select(_ => 0.1)],
            pairs, [.. models.Select(_ => kept)]);
    }

    /// <summary>
    /// An accuracy path whose best point is t = <paramref name="best"/>: 0.9 − 0.3·|t − best|, so the loss-like −acc is
    /// convex in t and never rises above the worse end (no barrier).
    /// </summary>
    private static InterpolationPath AccuracyPath(string from, string to, string task, double best)
    {
        var values = InterpolationPath.Points.Select(t => 0.9 - 0.3 * Math.Abs(t - best)).ToList();
        return new InterpolationPath(from, to, task, "acc", true, InterpolationPath.Points, values, [.. values.Select(_ => (double?)0.01)]);
    }

    [Fact]
    public void R5OneModelGetsTaskArithmeticWithTheMeanBestTOfItsPaths()
    {
        // Best t 0.7 on one task and 0.4 on the other: weight (0.7 + 0.4) / 2 = 0.55.
        string[] models = ["chat"];
        var paths = new[] { AccuracyPath("base", "chat", "one", 0.7), AccuracyPath("base", "chat", "two", 0.4) };
        Assert.All(paths, p => Assert.False(p.HasBarrier));

        var recommendation = MergeRecommendation.From(models, Passing(models), Total(models), paths);

        Assert.Equal("task_arithmetic", recommendation.Method);
        Assert.Equal(0.55, recommendation.Parameters["weight"], 1e-12);
        Assert.Single(recommendation.Parameters);
        Assert.StartsWith("R5: one model", Assert.Single(recommendation.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void R5WithoutTasksTakesTheModelItself()
    {
        string[] models = ["chat"];
        var recommendation = MergeRecommendation.From(models, Passing(models), Total(models), []);
        Assert.Equal("task_arithmetic", recommendation.Method);
        Assert.Equal(1.0, recommendation.Parameters["weight"]);
        Assert.Contains("run with --task", recommendation.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void R5DoesNotApplyWhenThePathShowsABarrier()
    {
        // Accuracy 0.8 at both ends and 0.3 in the middle: the rise of 0.5 above the ends beats the noise 2 · 0.01, so R4 decides.
        string[] models = ["chat"];
        double[] values = [0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
        var path = new InterpolationPath("base", "chat", "one", "acc", true, InterpolationPath.Points, values, [.. values.Select(_ => (double?)0.01)]);

        var recommendation = MergeRecommendation.From(models, Passing(models), Total(models), [path]);

        Assert.Equal("none", recommendation.Method);
        Assert.StartsWith("R4: the path base → chat", recommendation.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void R6TwoModelsWithFewSignConflictsGetSlerpAtTheBestTBetweenThem()
    {
        // Conflict 0.3 < 0.4. The a → b paths are best at 0.3 and 0.6: t = 0.45; the base → model paths (best 1.0) do not count.
        string[] models = ["a", "b"];
        var paths = new[]
        {
            AccuracyPath("base", "a", "one", 1.0), AccuracyPath("base", "b", "one", 1.0),
            AccuracyPath("a", "b", "one", 0.3), AccuracyPath("a", "b", "two", 0.6),
        };

        Assert.All(paths, p => Assert.False(p.HasBarrier));

        var recommendation = MergeRecommendation.From(models, Passing(models), Total(models, 0.3), paths);

        Assert.Equal("slerp", recommendation.Method);
        Assert.Equal(0.45, recommendation.Parameters["t"], 1e-12);
        Assert.StartsWith("R6: two models whose task vectors agree in sign (30", Assert.Single(recommendation.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void R6WithoutTasksTakesTheMidpoint()
    {
        string[] models = ["a", "b"];
        var recommendation = MergeRecommendation.From(models, Passing(models), Total(models, 0.1), []);
        Assert.Equal("slerp", recommendation.Method);
        Assert.Equal(0.5, recommendation.Parameters["t"]);
    }

    [Fact]
    public void R6DoesNotApplyAtTheSignConflictThresholdOrToThreeModels()
    {
        // Exactly 0.4 is not below the threshold: TIES, at the first density keeping ≥ 0.8 (0.3 here).
        string[] two = ["a", "b"];
        var atThreshold = MergeRecommendation.From(two, Passing(two), Total(two, 0.4), []);
        Assert.Equal("ties", atThreshold.Method);
        Assert.Equal(0.3, atThreshold.Parameters["density"]);
        Assert.StartsWith("R7: 2 models with 40", atThreshold.Reasons[0], StringComparison.Ordinal);

        // Three models agreeing in sign still get TIES: R6 is for two.
        string[] three = ["a", "b", "c"];
        var threeModels = MergeRecommendation.From(three, Passing(three), Total(three, 0.1, 0.1, 0.1), []);
        Assert.Equal("ties", threeModels.Method);
    }
}
