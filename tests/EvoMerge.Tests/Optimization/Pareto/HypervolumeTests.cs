using EvoMerge.Optimization;
using EvoMerge.Optimization.Pareto;
using Xunit;

namespace EvoMerge.Tests.Optimization.Pareto;

public sealed class HypervolumeTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void TwoDimensionalHandComputedFronts()
    {
        double[] reference = [1.0, 1.0];
        Assert.Equal(0.0, Hypervolume.Compute([], reference));
        Assert.Equal(0.25, Hypervolume.Compute([[0.5, 0.5]], reference), Tolerance);
        // Two overlapping boxes: 0.8·0.4 + 0.4·0.8 − 0.4·0.4.
        Assert.Equal(0.48, Hypervolume.Compute([[0.2, 0.6], [0.6, 0.2]], reference), Tolerance);
        // A dominated point and a duplicate add nothing.
        Assert.Equal(0.48, Hypervolume.Compute([[0.2, 0.6], [0.6, 0.2], [0.7, 0.7], [0.2, 0.6]], reference), Tolerance);
        // Points outside or on the reference box contribute nothing.
        Assert.Equal(0.25, Hypervolume.Compute([[0.5, 0.5], [1.2, 0.1], [1.0, 0.0], [0.1, double.NaN]], reference), Tolerance);
        Assert.Equal(0.0, Hypervolume.Compute([[1.5, 1.5]], reference));
    }

    [Fact]
    public void TwoDimensionalStaircaseWithOtherReference()
    {
        // Staircase (1,3), (2,2), (3,1) against (4,4): strips 3·1 + 2·1 + 1·1.
        double volume = Hypervolume.Compute([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]], [4.0, 4.0]);
        Assert.Equal(6.0, volume, Tolerance);
    }

    [Fact]
    public void ThreeDimensionalHandComputedFronts()
    {
        double[] reference = [1.0, 1.0, 1.0];
        Assert.Equal(0.125, Hypervolume.Compute([[0.5, 0.5, 0.5]], reference), Tolerance);
        Assert.Equal(0.24, Hypervolume.Compute([[0.2, 0.6, 0.5], [0.6, 0.2, 0.5]], reference), Tolerance);
        // Boxes 1·1·0.5 and 0.5·0.5·1 overlapping in 0.5·0.5·0.5.
        Assert.Equal(0.625, Hypervolume.Compute([[0.0, 0.0, 0.5], [0.5, 0.5, 0.0]], reference), Tolerance);
        // One point outside the reference in the third objective contributes nothing.
        Assert.Equal(0.125, Hypervolume.Compute([[0.5, 0.5, 0.5], [0.0, 0.0, 1.1]], reference), Tolerance);
        // Three axis-aligned slabs: each 0.5 thick along its axis; union = 1 − 0.5³.
        Assert.Equal(0.875, Hypervolume.Compute([[0.5, 0.0, 0.0], [0.0, 0.5, 0.0], [0.0, 0.0, 0.5]], reference), Tolerance);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(3, 4)]
    [InlineData(4, 5)]
    public void MatchesInclusionExclusionOnRandomSets(int dimensions, ulong seed)
    {
        var random = new SearchRandom(seed);
        for (int trial = 0; trial < 20; trial++)
        {
            int count = 1 + random.NextInt(8);
            var points = Enumerable.Range(0, count)
                .Select(_ => Enumerable.Range(0, dimensions).Select(_ => random.NextDouble() * 1.2).ToArray())
                .ToArray();
            double[] reference = Enumerable.Repeat(1.0, dimensions).ToArray();
            Assert.Equal(InclusionExclusion(points, reference), Hypervolume.Compute(points, reference), 1e-10);
        }
    }

    /// <summary>Union of the boxes [p, r] by inclusion–exclusion over all subsets.</summary>
    private static double InclusionExclusion(double[][] points, double[] reference)
    {
        var inside = points.Where(p => p.Zip(reference).All(t => t.First < t.Second)).ToArray();
        double total = 0.0;
        for (int mask = 1; mask < 1 << inside.Length; mask++)
        {
            double volume = 1.0;
            for (int d = 0; d < reference.Length; d++)
            {
                double corner = double.NegativeInfinity;
                for (int i = 0; i < inside.Length; i++)
                {
                    if ((mask & (1 << i)) != 0)
                    {
                        corner = Math.Max(corner, inside[i][d]);
                    }
                }
                volume *= reference[d] - corner;
            }
            total += (System.Numerics.BitOperations.PopCount((uint)mask) % 2 == 1 ? 1 : -1) * volume;
        }
        return total;
    }
}
