using EvoMerge.Search.Scoring;
using Xunit;

namespace EvoMerge.Tests.Search.Scoring;

public class PairedDominanceTestTests
{
    [Fact]
    public void NormalQuantileMatchesKnownValues()
    {
        Assert.Equal(1.6448536, PairedDominanceTest.NormalQuantile(0.95), 6);
        Assert.Equal(2.3263479, PairedDominanceTest.NormalQuantile(0.99), 6);
        Assert.Equal(-1.959964, PairedDominanceTest.NormalQuantile(0.025), 5);
    }

    [Fact]
    public void AClearlyBetterMemberDominatesANoisyTieDoesNot()
    {
        var better = Enumerable.Range(0, 20).Select(i => 1.0 + 0.01 * (i % 3)).ToArray();
        var worse = Enumerable.Range(0, 20).Select(i => 0.5 + 0.01 * (i % 5)).ToArray();
        var noisy = Enumerable.Range(0, 20).Select(i => 1.0 + (i % 2 == 0 ? 0.3 : -0.3)).ToArray();
        PairedDominanceTest.PairedObjective P(double[] m, double[] c) => new(m, c, Maximize: true);
        Assert.True(PairedDominanceTest.MemberDominates([P(better, worse), P(better, worse)], 0.99));
        Assert.False(PairedDominanceTest.MemberDominates([P(better, worse), P(worse, better)], 0.99));
        Assert.False(PairedDominanceTest.MemberDominates([P(better, noisy)], 0.99));
        Assert.True(PairedDominanceTest.MemberDominates([new(worse, better, Maximize: false)], 0.99));
    }
}
