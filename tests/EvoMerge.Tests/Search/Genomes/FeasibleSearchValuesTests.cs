using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using EvoMerge.Optimization;
using EvoMerge.Tests.Merging.Methods;
using MethodTensors = EvoMerge.Tests.Merging.Methods.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search.Genomes;

/// <summary>
/// della's density and epsilon genes are drawn independently (density [0.1, 1], epsilon [0, 0.1]), but della needs
/// density ± epsilon inside (0, 1): a decoded candidate has its epsilon cut to just inside, so it merges instead of failing.
/// </summary>
public sealed class FeasibleSearchValuesTests
{
    [Theory]
    [InlineData(0.99, 0.087)]
    [InlineData(0.999, 0.1)]
    [InlineData(0.95, 0.05)]
    public void ADellaCandidateWithEpsilonBeyondOneMinusDensityDecodesInsideAndMerges(double density, double epsilon)
    {
        var layout = new GenomeLayout(new GenomeConfig(["della"], 1, new GeneRanges(), null), 1, 2);
        // Genes in layout order: per group and model weight, density, epsilon (their ranges: [0, 1], [0.1, 1], [0, 0.1]).
        var names = layout.GeneNames();
        var reals = new double[layout.Space.RealCount];
        for (int i = 0; i < reals.Length; i++)
            reals[i] = names[i].EndsWith(".density", StringComparison.Ordinal) ? (density - 0.1) / 0.9
                : names[i].EndsWith(".epsilon", StringComparison.Ordinal) ? epsilon / 0.1 : 0.5;
        var values = layout.Decode(new Genome(reals, [])).Groups[0].PerModel[0];

        Assert.Equal(density, values["density"], 12);
        // Hand-worked bound: epsilon < 1 − density, and only by the small margin below it.
        Assert.InRange(values["epsilon"], (1 - density) * 0.999, 1 - density);
        Assert.True(values["density"] + values["epsilon"] < 1);

        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("della").Base(MethodTensors.Of(0, 0, 0, 0)).Model(MethodTensors.Of(1, -2, 3, -4), ("weight", 1), ("density", values["density"]), ("epsilon", values["epsilon"]));
        merge.Random = new torch.Generator(1, torch.CPU);
        Assert.Equal(4, merge.Merge().numel());
    }

    [Fact]
    public void AFeasibleDellaCandidateAndOtherMethodsAreUnchanged()
    {
        var layout = new GenomeLayout(new GenomeConfig(["della", "ties"], 1, new GeneRanges(), null), 1, 2);
        var reals = Enumerable.Repeat(0.5, layout.Space.RealCount).ToArray();
        var della = layout.Decode(new Genome(reals, [0])).Groups[0].PerModel[0];
        Assert.Equal(0.55, della["density"], 12);
        Assert.Equal(0.05, della["epsilon"], 12);
        var ties = layout.Decode(new Genome(reals, [1])).Groups[0].PerModel[0];
        Assert.Equal(["density", "weight"], ties.Keys.Order());
    }
}
