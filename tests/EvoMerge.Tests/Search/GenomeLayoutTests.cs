using EvoMerge.Merging.Recipes;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Optimization;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search;

public class GenomeLayoutTests
{
    private static GenomeConfig Config(bool ordering) =>
        new(["ties", "slerp"], 2, new GeneRanges { Weight = new GeneRange(0, 2) }, ordering ? new LayerOrderingConfig(2, new GeneRange(0.5, 1.5)) : null);

    [Fact]
    public void CountsGenesPerGroupModelAndSlot()
    {
        var layout = new GenomeLayout(Config(true), 2, 4);
        // 4 groups × 2 models × (weight, density) + 4 groups × t + 8 slot scales; method + 8 slot origins (skip, merged, a, b).
        Assert.Equal(16 + 4 + 8, layout.Space.RealCount);
        Assert.Equal([2, 4, 4, 4, 4, 4, 4, 4, 4], layout.Space.CategoryCounts);
        Assert.Equal((0, 2), layout.LayerRange(1));
        Assert.Equal((2, 4), layout.LayerRange(2));
        Assert.Equal(layout.Space.RealCount + layout.Space.CategoryGeneCount, layout.GeneNames().Count);
    }

    [Fact]
    public void DecodesGenesIntoRangesAndOnlyTheChosenMethodsParameters()
    {
        var layout = new GenomeLayout(Config(false), 2, 4);
        var genome = new Genome(Enumerable.Repeat(0.5, layout.Space.RealCount).ToArray(), [0]);
        var ties = layout.Decode(genome);
        Assert.Equal("ties", ties.Method);
        Assert.Equal(1.0, ties.Groups[1].PerModel[0]["weight"]);
        Assert.Equal(0.55, ties.Groups[1].PerModel[0]["density"], 12);
        Assert.Empty(ties.Groups[1].Global);
        var slerp = layout.Decode(genome with { Categories = [1] });
        Assert.Empty(slerp.Groups[0].PerModel[0]);
        Assert.Equal(0.5, slerp.Groups[0].Global["t"]);
    }

    [Fact]
    public void TheSeedGenomeIsThePlainMergeWithUnitScales()
    {
        var layout = new GenomeLayout(Config(true), 2, 4);
        var candidate = layout.Decode(Assert.Single(layout.SeedGenomes()));
        Assert.Equal([0, 1, 2, 3], candidate.Slots!.Select(s => s.Slot));
        Assert.All(candidate.Slots!, s => Assert.Equal(LayerSlot.MergedOrigin, s.Origin));
        Assert.All(candidate.Slots!, s => Assert.Equal(1.0, s.InputScale));
    }

    [Fact]
    public void RecipesParseBackWithTheExactValuesAndEmbeddingAndHeadFilters()
    {
        var layout = new GenomeLayout(Config(true), 2, 4);
        var composer = new RecipeComposer(layout, "/m/base", ["/m/a", "/m/b"], torch.ScalarType.Float32, 9);
        var genome = layout.Space.RandomGenome(new SearchRandom(1));
        genome.Categories[0] = 0;
        genome.Categories[1] = 0; // slot 0 skipped
        genome.Categories[2] = 2; // slot 1 from source a
        var candidate = layout.Decode(genome);
        var recipe = composer.Compose(candidate);
        var parsed = RecipeReader.Parse(recipe.ParameterSpace, "merge.yml", "/");
        Assert.Equal("ties", parsed.MergeMethod);
        Assert.Equal(2, parsed.Slices.Count);
        var weight = parsed.Slices[0].Sources[1].Parameters.Get("weight")!;
        Assert.Equal(candidate.Groups[0].PerModel[0]["weight"], weight.Evaluate("model.embed_tokens.weight", 0));
        Assert.Equal(candidate.Groups[1].PerModel[0]["weight"], weight.Evaluate("model.layers.0.mlp.up_proj.weight", 0));
        var head = parsed.Slices[1].Sources[2].Parameters.Get("density")!;
        Assert.Equal(candidate.Groups[3].PerModel[1]["density"], head.Evaluate("lm_head.weight", 0));
        Assert.Equal(candidate.Groups[3].PerModel[1]["density"], head.Evaluate("model.norm.weight", 0));
        Assert.Equal(candidate.Groups[2].PerModel[1]["density"], head.Evaluate("model.layers.3.self_attn.q_proj.weight", 1));

        var layers = RecipeReader.Parse(recipe.DataFlow!, "layers.yml", "/m/run");
        Assert.Equal(candidate.Slots!.Count, layers.Slices.Count);
        Assert.Equal("/m/a", layers.Slices[0].Sources[0].Model.Path);
        Assert.Equal(new LayerRange(1, 2), layers.Slices[0].Sources[0].LayerRange);
        double scale = 1 / candidate.Slots[0].InputScale;
        Assert.Equal(scale, layers.Slices[0].Sources[0].Parameters.Get("scale")!.Evaluate("model.layers.1.mlp.down_proj.weight", 1));
        Assert.Null(layers.Slices[0].Sources[0].Parameters.Get("scale")!.Evaluate("model.layers.1.mlp.up_proj.weight", 1));
        Assert.Equal(recipe.Hash, composer.Compose(layout.Decode(genome.Copy())).Hash);
    }
}
