using System.Text.Json;
using EvoMerge.Optimization;
using Xunit;

namespace EvoMerge.Tests.Optimization;

public sealed class GenomeTests
{
    [Fact]
    public void EqualityAndKeyFollowTheContents()
    {
        var a = new Genome([0.25, 1.0], [2, 0]);
        var b = new Genome([0.25, 1.0], [2, 0]);
        var c = new Genome([0.25, 1.0], [2, 1]);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(a.Key, b.Key);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a.Key, c.Key);
        Assert.Equal("0.25,1|2,0", a.Key);
    }

    [Fact]
    public void NegativeZeroEqualsZero()
    {
        var a = Genome.OfReals(0.0, 0.5);
        var b = Genome.OfReals(-0.0, 0.5);
        Assert.Equal(a, b);
        Assert.Equal(a.Key, b.Key);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void KeyRoundTripsRealValuesExactly()
    {
        var a = Genome.OfReals(0.1 + 0.2, 1.0 / 3.0);
        var b = Genome.OfReals(0.3, 1.0 / 3.0);
        Assert.NotEqual(a.Key, b.Key);
        var parsed = a.Key.Split('|')[0].Split(',').Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(a.Reals, parsed);
    }

    [Fact]
    public void WithExpressionDoesNotReuseTheCachedKey()
    {
        var a = Genome.OfReals(0.5);
        _ = a.Key;
        var b = a with { Reals = [0.75] };
        Assert.Equal("0.75|", b.Key);
    }

    [Fact]
    public void GeneSpaceValidatesGenomes()
    {
        var space = new GeneSpace(2, [3, 1]);
        Assert.Null(space.Problem(new Genome([0.0, 1.0], [2, 0])));
        Assert.NotNull(space.Problem(new Genome([0.0, 1.5], [2, 0])));
        Assert.Null(space.Problem(new Genome([0.0, 1.5], [2, 0]), realsInUnitInterval: false));
        Assert.NotNull(space.Problem(new Genome([0.0, 1.0], [3, 0])));
        Assert.NotNull(space.Problem(new Genome([0.0], [2, 0])));
        Assert.NotNull(space.Problem(new Genome([double.NaN, 0.0], [2, 0]), realsInUnitInterval: false));
        Assert.Throws<ArgumentException>(() => new GeneSpace(0, []));
        Assert.Throws<ArgumentException>(() => new GeneSpace(1, [0]));
    }

    [Fact]
    public void RandomGenomesBelongToTheSpace()
    {
        var space = new GeneSpace(4, [2, 5]);
        var random = new SearchRandom(9);
        for (int i = 0; i < 200; i++)
        {
            Assert.Null(space.Problem(space.RandomGenome(random)));
        }
    }

    [Fact]
    public void GeneSpaceAndGenomeRoundTripThroughJson()
    {
        var space = new GeneSpace(3, [2, 4]);
        var spaceBack = JsonSerializer.Deserialize<GeneSpace>(JsonSerializer.Serialize(space));
        Assert.Equal(space, spaceBack);
        var genome = new Genome([0.1, 0.2, 1.0 / 7.0], [1, 3]);
        var genomeBack = JsonSerializer.Deserialize<Genome>(JsonSerializer.Serialize(genome));
        Assert.Equal(genome, genomeBack);
        Assert.DoesNotContain("Key", JsonSerializer.Serialize(genome));
    }

    [Fact]
    public void FailedEvaluationSerialisesWithInfinities()
    {
        var failed = EvaluatedGenome.Failed(Genome.OfReals(0.5), 2);
        string json = JsonSerializer.Serialize(failed);
        var back = JsonSerializer.Deserialize<EvaluatedGenome>(json)!;
        Assert.False(back.IsFeasible);
        Assert.Equal(double.PositiveInfinity, back.ConstraintViolation);
        Assert.All(back.Objectives, v => Assert.Equal(double.PositiveInfinity, v));
    }
}
