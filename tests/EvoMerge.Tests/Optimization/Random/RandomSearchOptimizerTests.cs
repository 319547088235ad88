using EvoMerge.Optimization;
using EvoMerge.Optimization.Random;
using Xunit;

namespace EvoMerge.Tests.Optimization.Random;

public sealed class RandomSearchOptimizerTests
{
    [Fact]
    public void AsksInitialGenomesFirstThenUniformRandomOnes()
    {
        var space = new GeneSpace(2, [3]);
        Genome[] initial = [new([0.1, 0.2], [0]), new([0.3, 0.4], [1]), new([0.5, 0.6], [2])];
        var optimizer = new RandomSearchOptimizer(space, new RandomSearchSettings { BatchSize = 2, InitialGenomes = initial }, seed: 1);
        var first = optimizer.Ask();
        Assert.Equal(initial.Take(2), first);
        Assert.Equal(first, optimizer.Ask());
        optimizer.Tell(first.Select(g => EvaluatedGenome.Feasible(g, 0.0)).ToArray());
        var second = optimizer.Ask();
        Assert.Equal(initial[2], second[0]);
        Assert.DoesNotContain(second[1], initial);
        optimizer.Tell(second.Select(g => EvaluatedGenome.Feasible(g, 0.0)).ToArray());
        var samples = new List<Genome>();
        for (int i = 0; i < 500; i++)
        {
            var batch = optimizer.Ask();
            samples.AddRange(batch);
            optimizer.Tell(batch.Select(g => EvaluatedGenome.Feasible(g, 0.0)).ToArray());
        }
        Assert.All(samples, g => Assert.Null(space.Problem(g)));
        Assert.InRange(samples.Average(g => g.Reals[0]), 0.45, 0.55);
        Assert.Equal([0, 1, 2], samples.Select(g => g.Categories[0]).Distinct().Order());
        Assert.Equal(502, optimizer.Generation);
    }
}
