using EvoMerge.Optimization;
using Xunit;

namespace EvoMerge.Tests.Optimization;

public sealed class SearchRandomTests
{
    [Fact]
    public void SameSeedGivesSameSequenceAndDifferentSeedsDiffer()
    {
        var a = new SearchRandom(42);
        var b = new SearchRandom(42);
        var c = new SearchRandom(43);
        var fromA = Enumerable.Range(0, 100).Select(_ => a.NextUInt64()).ToArray();
        var fromB = Enumerable.Range(0, 100).Select(_ => b.NextUInt64()).ToArray();
        var fromC = Enumerable.Range(0, 100).Select(_ => c.NextUInt64()).ToArray();
        Assert.Equal(fromA, fromB);
        Assert.NotEqual(fromA, fromC);
    }

    [Fact]
    public void ZeroSeedStillProducesVaryingNumbers()
    {
        var random = new SearchRandom(0);
        var values = Enumerable.Range(0, 10).Select(_ => random.NextUInt64()).ToArray();
        Assert.True(values.Distinct().Count() == 10);
        Assert.DoesNotContain(0UL, values);
    }

    [Fact]
    public void ExportedStateContinuesExactlyIncludingTheSpareGaussian()
    {
        var original = new SearchRandom(7);
        original.NextGaussian();
        string state = original.ExportState();
        var restored = SearchRandom.FromState(state);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(original.NextGaussian(), restored.NextGaussian());
            Assert.Equal(original.NextDouble(), restored.NextDouble());
            Assert.Equal(original.NextInt(17), restored.NextInt(17));
        }
        Assert.Equal(original.ExportState(), restored.ExportState());
    }

    [Fact]
    public void MalformedStateIsRejected()
    {
        Assert.Throws<FormatException>(() => SearchRandom.FromState("1:2:3"));
        Assert.Throws<FormatException>(() => SearchRandom.FromState("0:0:0:0:0:0"));
        Assert.Throws<FormatException>(() => SearchRandom.FromState("zz:1:1:1:0:0"));
    }

    [Fact]
    public void NextDoubleAndNextIntStayInRangeAndCoverIt()
    {
        var random = new SearchRandom(1);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++)
        {
            double u = random.NextDouble();
            Assert.InRange(u, 0.0, 1.0);
            Assert.True(u < 1.0);
            counts[random.NextInt(7)]++;
        }
        foreach (int count in counts)
        {
            Assert.InRange(count, 9_500, 10_500);
        }
        Assert.Equal(0, random.NextInt(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextInt(0));
    }

    [Fact]
    public void GaussianHasZeroMeanAndUnitVariance()
    {
        var random = new SearchRandom(3);
        var samples = Enumerable.Range(0, 100_000).Select(_ => random.NextGaussian()).ToArray();
        double mean = samples.Average();
        double variance = samples.Sum(x => (x - mean) * (x - mean)) / samples.Length;
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.97, 1.03);
    }

    [Fact]
    public void ShuffleIsADeterministicPermutation()
    {
        var a = Enumerable.Range(0, 20).ToList();
        var b = Enumerable.Range(0, 20).ToList();
        new SearchRandom(5).Shuffle(a);
        new SearchRandom(5).Shuffle(b);
        Assert.Equal(a, b);
        Assert.Equal(Enumerable.Range(0, 20), a.Order());
        Assert.NotEqual(Enumerable.Range(0, 20), a);
    }
}
