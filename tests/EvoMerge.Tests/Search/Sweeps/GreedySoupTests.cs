using EvoMerge.Search.Sweeps;
using Xunit;

namespace EvoMerge.Tests.Search.Sweeps;

/// <summary>Greedy soup on hand-built scores: the tries, their order and what is kept follow Wortsman et al.'s Recipe 1.</summary>
public class GreedySoupTests
{
    [Fact]
    public void IngredientsAreTriedBestFirstAndKeptWhenTheSoupDoesNotGetWorse()
    {
        // Own dev scores: ingredient 1 (0.9) > 2 (0.7) > 3 (0.6) > 0 (0.5), so the soup starts as {1}.
        double[] own = [0.5, 0.9, 0.7, 0.6];
        var soups = new Dictionary<string, double>
        {
            ["1,2"] = 0.95, // ≥ 0.9: kept
            ["1,2,3"] = 0.94, // < 0.95: not kept
            ["0,1,2"] = 0.95, // = 0.95: kept (the rule is ≥)
        };
        var asked = new List<string>();
        var result = GreedySoup.Cook(own, tried =>
        {
            string key = string.Join(',', tried);
            asked.Add(key);
            return soups[key];
        });

        Assert.Equal([1, 2, 3, 0], result.Order);
        Assert.Equal(["1,2", "1,2,3", "0,1,2"], asked);
        Assert.Equal([0, 1, 2], result.Soup);
        Assert.Equal(0.95, result.Score);
        Assert.Equal([true, false, true], result.Steps.Select(s => s.Kept));
        Assert.Equal([2, 3, 0], result.Steps.Select(s => s.Ingredient));
    }

    [Fact]
    public void AWorseFirstTryLeavesTheBestIngredientAlone()
    {
        var result = GreedySoup.Cook([0.8, 0.6], _ => 0.7);
        Assert.Equal([0], result.Soup);
        Assert.Equal(0.8, result.Score);
        Assert.False(result.Steps.Single().Kept);
    }

    [Fact]
    public void TiesKeepTheGivenOrderAndAFailedIngredientIsTriedLastAndNeverKeptOnNaN()
    {
        var asked = new List<string>();
        var result = GreedySoup.Cook([double.NaN, 0.5, 0.5], tried =>
        {
            asked.Add(string.Join(',', tried));
            return tried.Contains(0) ? double.NaN : 0.5;
        });
        Assert.Equal([1, 2, 0], result.Order);
        Assert.Equal(["1,2", "0,1,2"], asked);
        Assert.Equal([1, 2], result.Soup);
    }
}
