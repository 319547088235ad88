using EvoMerge.Merging.Recipes;
using EvoMerge.Optimization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search.Genomes;

/// <summary>mergekit-evolve's <c>allow_negative_weights</c>, <c>normalize</c> and <c>random_init</c> in the genome.</summary>
public class MergekitEvolveGenomeKeysTests
{
    private static GenomeConfig Signed(bool? allow) =>
        new(["task_arithmetic"], 1, new GeneRanges().With("weight", new GeneRange(-1, 1)), null) { AllowNegativeWeights = allow };

    [Theory]
    [InlineData(null, -0.5)]
    [InlineData(true, -0.5)]
    [InlineData(false, 0.5)]
    public void NegativeWeightsAreFoldedUnlessAllowedAndANegativeRangeAllowsThemByDefault(bool? allow, double expected)
    {
        var layout = new GenomeLayout(Signed(allow), 2, 4);
        // Gene 0.25 in [-1, 1] is -1 + 2·0.25 = -0.5; mergekit-evolve takes |w| unless negative weights are allowed.
        var candidate = layout.Decode(Genome.OfReals(Enumerable.Repeat(0.25, layout.Space.RealCount).ToArray()));
        Assert.Equal(expected, candidate.Groups[1].PerModel[0]["weight"]);
    }

    [Theory]
    [InlineData(false, "false")]
    [InlineData(true, "true")]
    public void NormalizeIsWrittenAsTheTopLevelFlag(bool normalize, string written)
    {
        var layout = new GenomeLayout(new GenomeConfig(["ties"], 1, new GeneRanges(), null) { Normalize = normalize }, 2, 4);
        string text = new RecipeComposer(layout, "/m/base", ["/m/a", "/m/b"], torch.ScalarType.Float32, 1)
            .Compose(layout.Decode(Genome.OfReals(Enumerable.Repeat(0.5, layout.Space.RealCount).ToArray()))).ParameterSpace;
        Assert.Contains($"\nparameters:\n  normalize: {written}\n", text);
        var recipe = RecipeReader.Parse(text, "merge.yml", "/");
        Assert.Equal(normalize ? 1.0 : 0.0, recipe.Parameters.Get("normalize")!.Evaluate("model.layers.0.mlp.up_proj.weight", 0));
    }

    [Fact]
    public void RandomInitDrawsTheStartFromTheGivenSeed()
    {
        var config = new GenomeConfig(["ties"], 2, new GeneRanges(), null);
        Assert.Null(new GenomeLayout(config, 2, 4).RandomStart(5));
        var layout = new GenomeLayout(config with { RandomInit = true }, 2, 4);
        var start = layout.RandomStart(5)!;
        Assert.Equal(layout.Space.RandomGenome(new SearchRandom(5)).Key, start.Key);
        Assert.NotEqual(start.Key, layout.RandomStart(6)!.Key);
    }
}
