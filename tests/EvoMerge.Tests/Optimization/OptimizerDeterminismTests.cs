using System.Text.Json;
using EvoMerge.Optimization;
using EvoMerge.Optimization.CmaEs;
using EvoMerge.Optimization.Nsga2;
using EvoMerge.Optimization.Random;
using Xunit;

namespace EvoMerge.Tests.Optimization;

/// <summary>Same seed → same asks; a JSON round trip of the state at any point → the same continuation.</summary>
public sealed class OptimizerDeterminismTests
{
    private const int Generations = 14;

    private static readonly GeneSpace Space = new(4, [3, 2]);

    public static TheoryData<string> Names => new(OptimizerRegistry.Names);

    /// <summary>
    /// Two objectives plus categories; infeasible when x0 &gt; 0.9; failed (+∞) when x1 &lt; 0.05, so that states
    /// hold infinities.
    /// </summary>
    private static EvaluatedGenome Evaluate(Genome g)
    {
        if (g.Reals[1] < 0.05)
        {
            return EvaluatedGenome.Failed(g, 2);
        }
        double categoryCost = g.Categories[0] * 0.1 + g.Categories[1] * 0.05;
        double f1 = g.Reals.Sum(x => (x - 0.3) * (x - 0.3)) + categoryCost;
        double f2 = g.Reals.Sum(x => (x - 0.7) * (x - 0.7)) + categoryCost;
        return new EvaluatedGenome(g, [f1, f2], Math.Max(0.0, g.Reals[0] - 0.9));
    }

    private static IOptimizer Create(string name, ulong seed)
    {
        OptimizerSettings settings = name switch
        {
            "nsga2" => new Nsga2Settings { PopulationSize = 8, InitialGenomes = [new([0.5, 0.5, 0.5, 0.5], [0, 0])] },
            "cmaes" => new CmaEsSettings { TolX = 0.02 },
            "random" => new RandomSearchSettings { BatchSize = 5 },
            _ => throw new ArgumentException(name),
        };
        return OptimizerRegistry.Create(name, Space, seed, settings);
    }

    private static IOptimizer RoundTrip(IOptimizer optimizer)
    {
        string json = JsonSerializer.Serialize(optimizer.SaveState());
        var state = JsonSerializer.Deserialize<OptimizerState>(json)!;
        var restored = OptimizerRegistry.Restore(state);
        Assert.Equal(json, JsonSerializer.Serialize(restored.SaveState()));
        return restored;
    }

    /// <summary>Keys of every asked genome, generation by generation; <paramref name="roundTrip"/> may replace the optimizer between steps.</summary>
    private static List<string[]> Run(IOptimizer optimizer, Func<IOptimizer, int, IOptimizer> roundTrip)
    {
        var asked = new List<string[]>();
        for (int generation = 0; generation < Generations; generation++)
        {
            optimizer = roundTrip(optimizer, 2 * generation);
            var batch = optimizer.Ask();
            asked.Add(batch.Select(g => g.Key).ToArray());
            optimizer = roundTrip(optimizer, 2 * generation + 1);
            Assert.Equal(batch, optimizer.Ask());
            optimizer.Tell(batch.Reverse().Select(Evaluate).ToArray());
        }
        return asked;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SameSeedGivesIdenticalAsksAndDifferentSeedsDiffer(string name)
    {
        var first = Run(Create(name, 123), (o, _) => o);
        var second = Run(Create(name, 123), (o, _) => o);
        var other = Run(Create(name, 124), (o, _) => o);
        Assert.Equal(first, second);
        Assert.NotEqual(first.SelectMany(b => b), other.SelectMany(b => b));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void RestoringMidRunContinuesExactly(string name)
    {
        var uninterrupted = Run(Create(name, 7), (o, _) => o);
        // Restored once after a Tell, once between an Ask and its Tell.
        var afterTell = Run(Create(name, 7), (o, step) => step == 10 ? RoundTrip(o) : o);
        var beforeTell = Run(Create(name, 7), (o, step) => step == 13 ? RoundTrip(o) : o);
        Assert.Equal(uninterrupted, afterTell);
        Assert.Equal(uninterrupted, beforeTell);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void RestoringAtEveryStepContinuesExactly(string name)
    {
        var uninterrupted = Run(Create(name, 99), (o, _) => o);
        var restoredEveryStep = Run(Create(name, 99), (o, _) => RoundTrip(o));
        Assert.Equal(uninterrupted, restoredEveryStep);
    }

    [Fact]
    public void CmaEsStateRoundTripsAcrossRestarts()
    {
        var optimizer = Create("cmaes", 5);
        var reference = Create("cmaes", 5);
        int restartsSeen = 0;
        for (int generation = 0; generation < 120; generation++)
        {
            optimizer = RoundTrip(optimizer);
            var batch = optimizer.Ask();
            Assert.Equal(reference.Ask(), batch);
            var results = batch.Select(Evaluate).ToArray();
            optimizer.Tell(results);
            reference.Tell(results);
            restartsSeen = ((CmaEsOptimizer)optimizer).Restarts;
        }
        Assert.True(restartsSeen >= 1, "the run should have restarted at least once");
    }
}
