using EvoMerge.Optimization;
using EvoMerge.Optimization.CmaEs;
using Xunit;
using Xunit.Abstractions;

namespace EvoMerge.Tests.Optimization.CmaEs;

public sealed class CmaEsOptimizerTests(ITestOutputHelper output)
{
    [Fact]
    public void SolvesTenDimensionalSphereUnbounded()
    {
        var settings = new CmaEsSettings { Bounded = false, InitialSigma = 0.5, Start = Genome.OfReals(Enumerable.Repeat(1.0, 10).ToArray()) };
        var optimizer = new CmaEsOptimizer(GeneSpace.Reals(10), settings, seed: 1);
        var (best, evaluations) = AskTellLoop.Minimise(optimizer, BenchmarkFunctions.Sphere, 1e-8, 10_000);
        output.WriteLine($"sphere-10: f = {best:E3} after {evaluations} evaluations, λ = {optimizer.PopulationSize}, restarts = {optimizer.Restarts}");
        Assert.True(best < 1e-8, $"best {best} after {evaluations} evaluations");
        Assert.True(evaluations <= 3_000, $"{evaluations} evaluations");
        Assert.Equal(10, optimizer.PopulationSize);
    }

    [Fact]
    public void SolvesTenDimensionalRosenbrockUnbounded()
    {
        var settings = new CmaEsSettings { Bounded = false, InitialSigma = 0.5, Start = Genome.OfReals(new double[10]) };
        var optimizer = new CmaEsOptimizer(GeneSpace.Reals(10), settings, seed: 2);
        var (best, evaluations) = AskTellLoop.Minimise(optimizer, BenchmarkFunctions.Rosenbrock, 1e-8, 20_000);
        output.WriteLine($"rosenbrock-10: f = {best:E3} after {evaluations} evaluations, restarts = {optimizer.Restarts} ({optimizer.LastRestartReason})");
        Assert.True(best < 1e-8, $"best {best} after {evaluations} evaluations");
        Assert.True(evaluations < 20_000);
    }

    [Fact]
    public void SolvesShiftedSphereInsideTheBox()
    {
        var optimizer = new CmaEsOptimizer(GeneSpace.Reals(10), new CmaEsSettings(), seed: 3);
        double best = double.PositiveInfinity;
        long evaluations = 0;
        while (best >= 1e-10 && evaluations < 10_000)
        {
            foreach (var result in AskTellLoop.Step(optimizer, g =>
            {
                Assert.All(g.Reals, x => Assert.InRange(x, 0.0, 1.0));
                return EvaluatedGenome.Feasible(g, BenchmarkFunctions.ShiftedSphere(g.Reals, 0.3));
            }))
            {
                evaluations++;
                best = Math.Min(best, result.Objectives[0]);
            }
        }
        output.WriteLine($"shifted sphere in [0,1]^10: f = {best:E3} after {evaluations} evaluations");
        Assert.True(best < 1e-10, $"best {best} after {evaluations} evaluations");
        Assert.All(optimizer.Mean, m => Assert.Equal(0.3, m, 1e-4));
    }

    [Fact]
    public void FindsAnOptimumOnTheBoundaryWithGenesKeptInTheBox()
    {
        // Unconstrained optimum at −0.2 in the first five coordinates: the box optimum puts them at 0.
        double[] centre = [-0.2, -0.2, -0.2, -0.2, -0.2, 0.6, 0.6, 0.6, 0.6, 0.6];
        double boxOptimum = 5 * 0.04;
        double Objective(IReadOnlyList<double> x) => x.Select((v, i) => (v - centre[i]) * (v - centre[i])).Sum();
        var optimizer = new CmaEsOptimizer(GeneSpace.Reals(10), new CmaEsSettings(), seed: 4);
        Genome? bestGenome = null;
        double best = double.PositiveInfinity;
        for (int generation = 0; generation < 300; generation++)
        {
            foreach (var result in AskTellLoop.Step(optimizer, g => EvaluatedGenome.Feasible(g, Objective(g.Reals))))
            {
                Assert.All(result.Genome.Reals, x => Assert.InRange(x, 0.0, 1.0));
                if (result.Objectives[0] < best)
                {
                    best = result.Objectives[0];
                    bestGenome = result.Genome;
                }
            }
        }
        output.WriteLine($"boundary optimum: f − f* = {best - boxOptimum:E3}");
        Assert.True(best - boxOptimum < 1e-8, $"best {best}, box optimum {boxOptimum}");
        Assert.All(bestGenome!.Reals.Take(5), x => Assert.Equal(0.0, x, 1e-6));
        Assert.All(optimizer.Mean.Take(5), m => Assert.InRange(m, -0.5, 1e-3));
    }

    [Fact]
    public void LearnsCategoricalChoicesAndScalarisesObjectives()
    {
        // Two objectives weighted 1 and 0.5; category 2 of gene 0 and category 0 of gene 1 are best.
        var space = new GeneSpace(3, [4, 2]);
        var settings = new CmaEsSettings { ObjectiveWeights = [1.0, 0.5] };
        var optimizer = new CmaEsOptimizer(space, settings, seed: 5);
        EvaluatedGenome Evaluate(Genome g)
        {
            double categoryCost = (g.Categories[0] == 2 ? 0.0 : 1.0) + (g.Categories[1] == 0 ? 0.0 : 1.0);
            return EvaluatedGenome.Feasible(g, BenchmarkFunctions.ShiftedSphere(g.Reals, 0.5) + categoryCost, 2.0 * categoryCost);
        }
        for (int generation = 0; generation < 60; generation++)
        {
            AskTellLoop.Step(optimizer, Evaluate);
        }
        var last = optimizer.Ask();
        double share = last.Count(g => g.Categories[0] == 2 && g.Categories[1] == 0) / (double)last.Count;
        output.WriteLine($"share of best categories in the last batch: {share:P0}");
        Assert.True(share >= 0.6, $"share {share}");
    }

    [Fact]
    public void RanksInfeasibleAfterFeasibleAndSurvivesFailures()
    {
        // Feasible only where x0 ≥ 0.6; evaluations fail (NaN) where x1 > 0.9; minimise Σx.
        var optimizer = new CmaEsOptimizer(GeneSpace.Reals(3), new CmaEsSettings(), seed: 6);
        double best = double.PositiveInfinity;
        for (int generation = 0; generation < 200; generation++)
        {
            foreach (var result in AskTellLoop.Step(optimizer, g =>
                g.Reals[1] > 0.9 ? new EvaluatedGenome(g, [double.NaN], double.NaN)
                : new EvaluatedGenome(g, [g.Reals.Sum()], Math.Max(0.0, 0.6 - g.Reals[0]))))
            {
                if (result.ConstraintViolation == 0.0 && !double.IsNaN(result.Objectives[0]))
                {
                    best = Math.Min(best, result.Objectives[0]);
                }
            }
        }
        Assert.Equal(0.6, best, 1e-4);
    }

    [Fact]
    public void RestartsWithALargerPopulationWhenConverged()
    {
        var settings = new CmaEsSettings { TolX = 1e-4 };
        var optimizer = new CmaEsOptimizer(GeneSpace.Reals(4), settings, seed: 7);
        int initialLambda = optimizer.PopulationSize;
        for (int generation = 0; generation < 400 && optimizer.Restarts < 2; generation++)
        {
            AskTellLoop.Step(optimizer, g => EvaluatedGenome.Feasible(g, BenchmarkFunctions.ShiftedSphere(g.Reals, 0.4)));
        }
        Assert.Equal(2, optimizer.Restarts);
        Assert.Equal(4 * initialLambda, optimizer.PopulationSize);
        Assert.Equal(4 * initialLambda, optimizer.Ask().Count);
        Assert.NotNull(optimizer.LastRestartReason);
    }

    [Fact]
    public void FlatFitnessTriggersTolFunRestart()
    {
        var optimizer = new CmaEsOptimizer(GeneSpace.Reals(5), new CmaEsSettings { BoundaryPenalty = 0.0 }, seed: 8);
        for (int generation = 0; generation < 100 && optimizer.Restarts == 0; generation++)
        {
            AskTellLoop.Step(optimizer, g => EvaluatedGenome.Feasible(g, 1.0));
        }
        Assert.Equal(1, optimizer.Restarts);
        Assert.Equal("TolFun", optimizer.LastRestartReason);
    }

    [Fact]
    public void DefaultParametersFollowTheTutorial()
    {
        Assert.Equal(4, new CmaEsOptimizer(GeneSpace.Reals(1), new CmaEsSettings(), seed: 9).PopulationSize);
        Assert.Equal(17, new CmaEsOptimizer(GeneSpace.Reals(100), new CmaEsSettings(), seed: 9).PopulationSize);
        var optimizer = new CmaEsOptimizer(GeneSpace.Reals(10), new CmaEsSettings(), seed: 9);
        Assert.Equal(10, optimizer.Ask().Count);
        Assert.Equal(1.0 / 6.0, optimizer.Sigma);
        Assert.All(optimizer.Mean, m => Assert.Equal(0.5, m));
    }

    [Fact]
    public void RejectsTellsThatDoNotMatchTheAsk()
    {
        var optimizer = new CmaEsOptimizer(GeneSpace.Reals(2), new CmaEsSettings(), seed: 10);
        Assert.Throws<InvalidOperationException>(() => optimizer.Tell([]));
        var batch = optimizer.Ask();
        Assert.Throws<ArgumentException>(() => optimizer.Tell(batch.Skip(1).Select(g => EvaluatedGenome.Feasible(g, 0.0)).ToArray()));
        var foreign = batch.Skip(1).Append(Genome.OfReals(0.123, 0.456)).Select(g => EvaluatedGenome.Feasible(g, 0.0)).ToArray();
        Assert.Throws<ArgumentException>(() => optimizer.Tell(foreign));
        optimizer.Tell(batch.Reverse().Select(g => EvaluatedGenome.Feasible(g, 0.0)).ToArray());
        Assert.Equal(1, optimizer.Generation);
    }
}
