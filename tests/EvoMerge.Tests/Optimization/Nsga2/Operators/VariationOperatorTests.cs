using EvoMerge.Optimization;
using EvoMerge.Optimization.Nsga2.Operators;
using Xunit;

namespace EvoMerge.Tests.Optimization.Nsga2.Operators;

public sealed class VariationOperatorTests
{
    [Fact]
    public void SimulatedBinaryCrossoverStaysInBoundsWithAChildOnEachSideOfTheParentsMidpoint()
    {
        var random = new SearchRandom(21);
        var crossover = new SimulatedBinaryCrossover(15.0, 1.0);
        int changed = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            double[] a = [random.NextDouble(), random.NextDouble()];
            double[] b = [random.NextDouble(), random.NextDouble()];
            double[] middle = [0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1])];
            double[] before = [.. a];
            crossover.Apply(a, b, random);
            for (int i = 0; i < 2; i++)
            {
                Assert.InRange(a[i], 0.0, 1.0);
                Assert.InRange(b[i], 0.0, 1.0);
                Assert.InRange(middle[i], Math.Min(a[i], b[i]) - 1e-12, Math.Max(a[i], b[i]) + 1e-12);
            }
            changed += a.SequenceEqual(before) ? 0 : 1;
        }
        Assert.True(changed > 1900);
    }

    [Fact]
    public void SimulatedBinaryCrossoverChildrenStayNearParentsForLargeEta()
    {
        var random = new SearchRandom(22);
        var crossover = new SimulatedBinaryCrossover(100.0, 1.0);
        for (int trial = 0; trial < 500; trial++)
        {
            double[] a = [0.4];
            double[] b = [0.6];
            crossover.Apply(a, b, random);
            Assert.InRange(Math.Min(a[0], b[0]), 0.3, 0.45);
        }
    }

    [Fact]
    public void PolynomialMutationStaysInBoundsAndMutatesAtTheGivenRate()
    {
        var random = new SearchRandom(23);
        var mutation = new PolynomialMutation(20.0, 0.1);
        int mutatedGenes = 0;
        for (int trial = 0; trial < 1000; trial++)
        {
            double[] genes = [0.0, 1.0, 0.5, 0.999, 0.001, 0.3, 0.7, 0.2, 0.8, 0.5];
            double[] before = [.. genes];
            mutation.Apply(genes, random);
            Assert.All(genes, g => Assert.InRange(g, 0.0, 1.0));
            mutatedGenes += genes.Zip(before).Count(t => t.First != t.Second);
        }
        Assert.InRange(mutatedGenes, 850, 1100);
    }

    [Fact]
    public void RandomResetAlwaysPicksAnotherChoiceAndLeavesSingleChoiceGenes()
    {
        var random = new SearchRandom(24);
        var mutation = new RandomResetMutation(1.0);
        var seen = new HashSet<int>();
        for (int trial = 0; trial < 200; trial++)
        {
            int[] genes = [2, 0];
            mutation.Apply(genes, [4, 1], random);
            Assert.NotEqual(2, genes[0]);
            Assert.InRange(genes[0], 0, 3);
            Assert.Equal(0, genes[1]);
            seen.Add(genes[0]);
        }
        Assert.Equal([0, 1, 3], seen.Order());
    }
}
