using EvoMerge.Optimization;
using EvoMerge.Optimization.Nsga2;
using EvoMerge.Optimization.Pareto;
using Xunit;

namespace EvoMerge.Tests.Optimization.Pareto;

public sealed class NondominatedSortingTests
{
    private static EvaluatedGenome Point(double f1, double f2, double violation = 0.0) =>
        new(Genome.OfReals(f1), [f1, f2], violation);

    [Fact]
    public void SortsIntoFrontsUnderConstrainedDominance()
    {
        EvaluatedGenome[] population =
        [
            Point(1, 4), // 0: front 0
            Point(2, 2), // 1: front 0
            Point(4, 1), // 2: front 0
            Point(3, 3), // 3: front 1 (dominated by 1)
            Point(5, 5), // 4: front 2
            Point(0, 0, 0.5), // 5: infeasible, small violation
            Point(0, 0, 2.0), // 6: infeasible, larger violation
        ];
        var fronts = NondominatedSorting.Fronts(population);
        Assert.Equal([[0, 1, 2], [3], [4], [5], [6]], fronts.Select(f => f.ToArray()).ToArray());
        Assert.Equal([0, 0, 0, 1, 2, 3, 4], NondominatedSorting.Ranks(population, fronts));
    }

    [Fact]
    public void CrowdingDistanceGivesBoundariesInfinityAndNormalisedGapsInside()
    {
        EvaluatedGenome[] population = [Point(0, 4), Point(1, 3), Point(3, 1), Point(4, 0)];
        double[] distance = CrowdingDistance.Compute(population, [0, 1, 2, 3]);
        Assert.Equal(double.PositiveInfinity, distance[0]);
        Assert.Equal(double.PositiveInfinity, distance[3]);
        Assert.Equal(3.0 / 4.0 + 3.0 / 4.0, distance[1], 1e-12);
        Assert.Equal(3.0 / 4.0 + 3.0 / 4.0, distance[2], 1e-12);
    }

    [Fact]
    public void ConstrainedDominanceRules()
    {
        Assert.True(Dominance.ConstrainedDominates([9.0], 0.0, [0.0], 0.1));
        Assert.False(Dominance.ConstrainedDominates([0.0], 0.1, [9.0], 0.0));
        Assert.True(Dominance.ConstrainedDominates([9.0], 0.1, [0.0], 0.2));
        Assert.True(Dominance.ConstrainedDominates([0.0], 0.1, [1.0], 0.1));
        Assert.False(Dominance.ConstrainedDominates([1.0, 0.0], 0.0, [0.0, 1.0], 0.0));
        Assert.False(Dominance.Dominates([1.0, 1.0], [1.0, 1.0]));
    }
}
