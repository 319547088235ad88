using EvoMerge.Merging.Recipes;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using EvoMerge.Optimization;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search.Genomes;

public class GenomeLayoutTests
{
    private static GenomeConfig Config(bool ordering) =>
        new(["ties", "slerp"], 2, new GeneRanges().With("weight", new GeneRange(0, 2)), ordering ? new LayerOrderingConfig(2, new GeneRange(0.5, 1.5)) : null);

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
    public void SubspaceMethodsGetAlphaAndTheirOwnGlobalGenesPerGroupAndNoPerModelGenes()
    {
        var config = new GenomeConfig(["tsv", "iso_cts", "esm"], 2, new GeneRanges(), null);
        var layout = new GenomeLayout(config, 2, 4);
        // 4 groups × (alpha, common_space_fraction, scaling_power); the method gene.
        Assert.Equal(12, layout.Space.RealCount);
        Assert.Equal("embeddings.alpha", layout.GeneNames()[0]);
        Assert.Equal("embeddings.common_space_fraction", layout.GeneNames()[4]);
        Assert.Equal("head.scaling_power", layout.GeneNames()[11]);
        var reals = Enumerable.Range(0, 12).Select(i => i / 12.0).ToArray();
        var tsv = layout.Decode(new Genome(reals, [0]));
        Assert.Equal("tsv", tsv.Method);
        Assert.Empty(tsv.Groups[1].PerModel[0]);
        Assert.Equal(["alpha"], tsv.Groups[1].Global.Keys);
        Assert.Equal(0.5 + 1.5 / 12.0, tsv.Groups[1].Global["alpha"], 12);
        var isoCts = layout.Decode(new Genome(reals, [1]));
        Assert.Equal(0.5 + 0.5 * 6 / 12.0, isoCts.Groups[2].Global["common_space_fraction"], 12);
        var esm = layout.Decode(new Genome(reals, [2]));
        Assert.Equal(["alpha", "scaling_power"], esm.Groups[3].Global.Keys);
        Assert.Equal(2.0 * 11 / 12.0, esm.Groups[3].Global["scaling_power"], 12);

        var composer = new RecipeComposer(layout, "/m/base", ["/m/a", "/m/b"], torch.ScalarType.Float32, 9, proxyTasks: ["/t/a.yml", "/t/b.yml"], proxyPrompts: 4);
        var parsed = RecipeReader.Parse(composer.Compose(esm).ParameterSpace, "merge.yml", "/");
        Assert.Equal("esm", parsed.MergeMethod);
        Assert.Equal(["/t/a.yml", "/t/b.yml"], parsed.ProxyTasks.Select(t => t.TaskPath));
        Assert.Equal(4, parsed.ProxyPrompts);
        var alpha = parsed.Slices[0].Parameters.Get("alpha")!;
        Assert.Equal(esm.Groups[0].Global["alpha"], alpha.Evaluate("model.embed_tokens.weight", 0));
        Assert.Equal(esm.Groups[1].Global["alpha"], alpha.Evaluate("model.layers.0.mlp.up_proj.weight", 0));
        Assert.Empty(RecipeReader.Parse(composer.Compose(tsv).ParameterSpace, "merge.yml", "/").ProxyTasks);
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
    public void Seed_weights_add_uniform_task_arithmetic_genomes_after_the_plain_layer_stack()
    {
        var config = new GenomeConfig(["ties", "task_arithmetic"], 2, new GeneRanges().With("weight", new GeneRange(0, 1.5)), new LayerOrderingConfig(1, new GeneRange(0.5, 1.5)))
        {
            SeedWeights = [0.5, 1.0],
        };
        var layout = new GenomeLayout(config, 3, 4);
        var seeds = layout.SeedGenomes();

        Assert.Equal(3, seeds.Count);
        Assert.Equal("ties", layout.Decode(seeds[0]).Method);
        foreach (var (genome, weight) in seeds.Skip(1).Zip([0.5, 1.0]))
        {
            var candidate = layout.Decode(genome);
            Assert.Equal("task_arithmetic", candidate.Method);
            Assert.Equal(layout.GroupCount, candidate.Groups.Count);
            Assert.All(candidate.Groups, g => Assert.All(g.PerModel, m => Assert.Equal(weight, m["weight"], 12)));
            Assert.All(candidate.Slots!, s => Assert.Equal(LayerSlot.MergedOrigin, s.Origin));
        }
        Assert.Empty(new GenomeLayout(config with { SeedWeights = [], LayerOrdering = null }, 3, 4).SeedGenomes());
    }

    [Fact]
    public void Seed_sources_add_each_source_alone_after_the_uniform_merges()
    {
        var config = new GenomeConfig(["ties", "task_arithmetic"], 2, new GeneRanges().With("weight", new GeneRange(0, 1.5)), null)
        {
            SeedWeights = [0.5],
            SeedSources = true,
        };
        var layout = new GenomeLayout(config, 3, 4);
        var seeds = layout.SeedGenomes();

        Assert.Equal(4, seeds.Count);
        Assert.All(layout.Decode(seeds[0]).Groups, g => Assert.All(g.PerModel, m => Assert.Equal(0.5, m["weight"], 12)));
        for (int s = 0; s < 3; s++)
        {
            var candidate = layout.Decode(seeds[1 + s]);
            Assert.Equal("task_arithmetic", candidate.Method);
            Assert.All(candidate.Groups, g =>
            {
                for (int k = 0; k < 3; k++) Assert.Equal(k == s ? 1.0 : 0.0, g.PerModel[k]["weight"], 12);
            });
        }
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
