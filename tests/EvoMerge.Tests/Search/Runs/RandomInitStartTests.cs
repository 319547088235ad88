using EvoMerge.Optimization;
using EvoMerge.Optimization.CmaEs;
using EvoMerge.Optimization.Nsga2;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using Xunit;

namespace EvoMerge.Tests.Search.Runs;

/// <summary><c>genome.random_init</c>: CMA-ES starts from a genome drawn from the run's seed; nothing else changes.</summary>
public class RandomInitStartTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    private const string Genome = "  methods: [ties]\n  layer_groups: 2";

    private SearchSetup Setup(string name, string genome, string optimizer)
    {
        var config = SearchConfigReader.ReadFile(fixture.Config(name, genome, optimizer));
        return SearchSetup.Create(config, SearchSetup.DeriveInfo(config, fixture.Layout.Root));
    }

    [Fact]
    public void CmaEsStartsFromAGenomeDrawnFromTheRunSeedOnlyWithRandomInit()
    {
        var plain = Setup("start-plain", Genome, "cmaes");
        Assert.Null(((CmaEsSettings)SearchRun.StartSettings(plain)).Start);

        var random = Setup("start-random", Genome + "\n  random_init: true", "cmaes");
        var start = ((CmaEsSettings)SearchRun.StartSettings(random)).Start!;
        // The fixture's seed is 5; its SplitMix64 sequence gives the screening seed first, the random_init seed second.
        var sequence = new SearchRandom(5);
        Assert.Equal(random.Info.ScreeningSeed, sequence.NextUInt64());
        var expected = random.Layout.Space.RandomGenome(new SearchRandom(sequence.NextUInt64()));
        Assert.Equal(expected.Key, start.Key);
        Assert.Equal(start.Key, ((CmaEsSettings)SearchRun.StartSettings(random)).Start!.Key);

        var nsga2 = (Nsga2Settings)SearchRun.StartSettings(Setup("start-nsga2", Genome + "\n  random_init: true", "nsga2"));
        Assert.Empty(nsga2.InitialGenomes);
    }
}
