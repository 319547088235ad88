using System.Diagnostics;
using EvoMerge.Optimization;
using EvoMerge.Optimization.Nsga2;
using EvoMerge.Optimization.Pareto;
using Xunit;
using Xunit.Abstractions;

namespace EvoMerge.Tests.Optimization.Nsga2;

public sealed class Nsga2OptimizerTests(ITestOutputHelper output)
{
    [Fact]
    public void ReachesHighHypervolumeOnZdt1()
    {
        var watch = Stopwatch.StartNew();
        var optimizer = new Nsga2Optimizer(GeneSpace.Reals(30), new Nsga2Settings { PopulationSize = 100 }, seed: 1);
        int evaluations = 0;
        for (int generation = 0; generation <= 100; generation++)
        {
            evaluations += AskTellLoop.Step(optimizer, g => EvaluatedGenome.Feasible(g, BenchmarkFunctions.Zdt1(g.Reals))).Length;
        }
        double hypervolume = Hypervolume.Compute(optimizer.Population.Select(e => e.Objectives), [1.1, 1.1]);
        output.WriteLine($"ZDT1: hypervolume {hypervolume:F4} (max ≈ 0.8767) after {evaluations} evaluations in {watch.ElapsedMilliseconds} ms");
        Assert.True(hypervolume >= 0.65, $"hypervolume {hypervolume}");
        Assert.Equal(100, optimizer.Population.Count);
        Assert.Equal(101, optimizer.Generation);
    }

    [Fact]
    public void FirstBatchHoldsTheInitialGenomesAndRandomOnes()
    {
        var space = new GeneSpace(2, [3]);
        Genome[] initial = [new([0.5, 0.5], [1]), new([0.0, 1.0], [2])];
        var optimizer = new Nsga2Optimizer(space, new Nsga2Settings { PopulationSize = 6, InitialGenomes = initial }, seed: 2);
        var batch = optimizer.Ask();
        Assert.Equal(6, batch.Count);
        Assert.Equal(initial, batch.Take(2));
        Assert.Equal(6, batch.Select(g => g.Key).Distinct().Count());
        Assert.All(batch, g => Assert.Null(space.Problem(g)));
        Assert.Equal(batch, optimizer.Ask());
    }

    [Fact]
    public void ConstrainedProblemConvergesToTheFeasibleFront()
    {
        // Minimise (x0, x1) subject to x0 + x1 ≥ 1: the front is the segment x0 + x1 = 1.
        var optimizer = new Nsga2Optimizer(GeneSpace.Reals(2), new Nsga2Settings { PopulationSize = 40 }, seed: 3);
        for (int generation = 0; generation < 60; generation++)
        {
            AskTellLoop.Step(optimizer, g => new EvaluatedGenome(g, [g.Reals[0], g.Reals[1]], Math.Max(0.0, 1.0 - g.Reals[0] - g.Reals[1])));
        }
        Assert.All(optimizer.Population, e =>
        {
            Assert.True(e.IsFeasible);
            Assert.InRange(e.Genome.Reals[0] + e.Genome.Reals[1], 1.0, 1.03);
        });
        Assert.True(optimizer.Population.Average(e => e.Genome.Reals[0] + e.Genome.Reals[1]) < 1.01);
        double spread = optimizer.Population.Max(e => e.Objectives[0]) - optimizer.Population.Min(e => e.Objectives[0]);
        Assert.True(spread > 0.9, $"spread {spread}");
    }

    [Fact]
    public void FailedEvaluationsAreDroppedFromThePopulation()
    {
        var optimizer = new Nsga2Optimizer(GeneSpace.Reals(3), new Nsga2Settings { PopulationSize = 20 }, seed: 4);
        for (int generation = 0; generation < 20; generation++)
        {
            AskTellLoop.Step(optimizer, g => g.Reals[0] < 0.5
                ? EvaluatedGenome.Failed(g, 2)
                : EvaluatedGenome.Feasible(g, g.Reals[1], 1.0 - g.Reals[1]));
        }
        Assert.All(optimizer.Population, e => Assert.True(e.IsFeasible));
    }

    [Fact]
    public void OptimisesCategoricalGenesWithoutEndlessDuplicates()
    {
        // 3 genes with 4 choices each (64 genomes); the single best is (3, 3, 3) for the first objective, (0, 0, 0) for the second.
        var space = new GeneSpace(0, [4, 4, 4]);
        var optimizer = new Nsga2Optimizer(space, new Nsga2Settings { PopulationSize = 10 }, seed: 5);
        var seen = new HashSet<string>();
        int asked = 0;
        for (int generation = 0; generation < 15; generation++)
        {
            AskTellLoop.Step(optimizer, g =>
            {
                seen.Add(g.Key);
                asked++;
                double sum = g.Categories.Sum();
                return EvaluatedGenome.Feasible(g, 9.0 - sum, sum);
            });
        }
        Assert.Contains("|3,3,3", seen);
        Assert.Contains("|0,0,0", seen);
        Assert.True(seen.Count >= 40, $"only {seen.Count} distinct genomes in {asked} asks");
        Assert.Equal(["|0,0,0", "|3,3,3"], optimizer.Population.Where(e => e.Objectives.Contains(0.0)).Select(e => e.Genome.Key).Order());
    }

    [Fact]
    public void RejectsInconsistentObjectiveCounts()
    {
        var optimizer = new Nsga2Optimizer(GeneSpace.Reals(2), new Nsga2Settings { PopulationSize = 4 }, seed: 6);
        AskTellLoop.Step(optimizer, g => EvaluatedGenome.Feasible(g, 1.0, 2.0));
        var batch = optimizer.Ask();
        Assert.Throws<ArgumentException>(() => optimizer.Tell(batch.Select(g => EvaluatedGenome.Feasible(g, 1.0)).ToArray()));
    }
}
