using System.Text.Json;
using EvoMerge.Optimization;
using EvoMerge.Optimization.CmaEs;
using EvoMerge.Optimization.Nsga2;
using EvoMerge.Optimization.Random;
using Xunit;

namespace EvoMerge.Tests.Optimization;

public sealed class OptimizerRegistryTests
{
    [Fact]
    public void KnowsTheThreeOptimizers()
    {
        Assert.Equal(["cmaes", "nsga2", "random"], OptimizerRegistry.Names);
        Assert.IsType<Nsga2Optimizer>(OptimizerRegistry.Create("nsga2", GeneSpace.Reals(2), 1));
        Assert.IsType<CmaEsOptimizer>(OptimizerRegistry.Create("cmaes", GeneSpace.Reals(2), 1));
        Assert.IsType<RandomSearchOptimizer>(OptimizerRegistry.Create("random", GeneSpace.Reals(2), 1));
        foreach (string name in OptimizerRegistry.Names)
        {
            var optimizer = OptimizerRegistry.Create(name, GeneSpace.Reals(2), 1);
            Assert.Equal(name, optimizer.Name);
            Assert.Equal(name, OptimizerRegistry.DefaultSettings(name).OptimizerName);
            Assert.Equal(name, optimizer.SaveState().OptimizerName);
        }
    }

    [Fact]
    public void UnknownNamesAndMismatchedSettingsAreErrors()
    {
        var unknown = Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create("pso", GeneSpace.Reals(2), 1));
        Assert.Contains("cmaes, nsga2, random", unknown.Message);
        Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create("nsga2", GeneSpace.Reals(2), 1, new CmaEsSettings()));
        Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create(new Nsga2Settings { PopulationSize = 1 }, GeneSpace.Reals(2), 1));
        Assert.Throws<ArgumentException>(() => OptimizerRegistry.Create("cmaes", new GeneSpace(0, [3]), 1));
    }

    [Fact]
    public void SettingsRoundTripThroughJsonWithTheirName()
    {
        OptimizerSettings settings = new CmaEsSettings { PopulationSize = 12, ObjectiveWeights = [1.0, -2.0], Bounded = false };
        string json = JsonSerializer.Serialize(settings);
        Assert.Contains("\"optimizer\":\"cmaes\"", json);
        var back = (CmaEsSettings)JsonSerializer.Deserialize<OptimizerSettings>(json)!;
        Assert.Equal(12, back.PopulationSize);
        Assert.False(back.Bounded);
        Assert.Equal([1.0, -2.0], back.ObjectiveWeights!);
        var optimizer = OptimizerRegistry.Create(back, GeneSpace.Reals(3), 1);
        Assert.Equal(12, optimizer.Ask().Count);
    }
}
