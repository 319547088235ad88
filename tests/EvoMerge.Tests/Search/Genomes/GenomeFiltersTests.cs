using EvoMerge.Merging;
using EvoMerge.Merging.Recipes;
using EvoMerge.Optimization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search.Genomes;

/// <summary><c>genome.filters</c>: one parameter set per filter plus the rest in every layer group, written as filter branches.</summary>
public class GenomeFiltersTests
{
    // The demo's genome shape: task_arithmetic and ties (weight, density), 2 layer groups, 3 sources, 4 layers.
    private static GenomeLayout DemoLayout() =>
        new(new GenomeConfig(["task_arithmetic", "ties"], 2, new GeneRanges(), null) { Filters = ["self_attn", "mlp"] }, 3, 4);

    [Fact]
    public void TheDemoShapeHas48RealGenesAndNamesThemByGroupModelFilterAndParameter()
    {
        var layout = DemoLayout();
        // 3 models × 2 genes in the embeddings, 2 groups × 3 models × 3 sets × 2 genes in the layers, 3 × 2 in the head.
        Assert.Equal(6 + 36 + 6, layout.Space.RealCount);
        Assert.Equal([2], layout.Space.CategoryCounts);
        var names = layout.GeneNames();
        Assert.Equal(49, names.Count);
        Assert.Equal("embeddings.model0.weight", names[0]);
        Assert.Equal("embeddings.model2.density", names[5]);
        Assert.Equal("layers[0,2).model0.self_attn.weight", names[6]);
        Assert.Equal("layers[0,2).model0.mlp.density", names[9]);
        Assert.Equal("layers[0,2).model0.rest.weight", names[10]);
        Assert.Equal("layers[0,2).model1.self_attn.weight", names[12]);
        Assert.Equal("layers[2,4).model0.self_attn.weight", names[24]);
        Assert.Equal("head.model0.weight", names[42]);
        Assert.Equal("head.model2.density", names[47]);
        Assert.Equal("method", names[48]);
    }

    [Fact]
    public void EachTensorKindGetsItsOwnSetsValuesInTheRecipe()
    {
        var layout = DemoLayout();
        // Gene i is i/48: weights map to [0, 1] as is, densities to 0.1 + 0.9·i/48. Category 1 = ties.
        var genome = new Genome(Enumerable.Range(0, 48).Select(i => i / 48.0).ToArray(), [1]);
        var candidate = layout.Decode(genome);
        Assert.Equal("self_attn", candidate.Groups[1].Filtered[0].Filter);
        Assert.Equal(6 / 48.0, candidate.Groups[1].Filtered[0].Values.PerModel[0]["weight"]);
        Assert.Equal(8 / 48.0, candidate.Groups[1].Filtered[1].Values.PerModel[0]["weight"]);
        Assert.Equal(10 / 48.0, candidate.Groups[1].PerModel[0]["weight"]);
        Assert.Empty(candidate.Groups[0].Filtered);

        var composer = new RecipeComposer(layout, "/m/base", ["/m/a", "/m/b", "/m/c"], torch.ScalarType.Float32, 3);
        var recipe = RecipeReader.Parse(composer.Compose(candidate).ParameterSpace, "merge.yml", "/");
        var resolver = new ParameterResolver(recipe, MergeMethodRegistry.Default.Get("ties"));
        double Resolved(int slice, int source, string tensor, string parameter) =>
            resolver.PerModel(recipe.Slices[slice], recipe.Slices[slice].Sources[source], false, tensor, 0).Get(parameter);
        // Source 1 of each slice is model0 (source 0 is the base).
        Assert.Equal(6 / 48.0, Resolved(0, 1, "model.layers.0.self_attn.q_proj.weight", "weight"));
        Assert.Equal(8 / 48.0, Resolved(0, 1, "model.layers.1.mlp.down_proj.weight", "weight"));
        Assert.Equal(10 / 48.0, Resolved(0, 1, "model.layers.0.input_layernorm.weight", "weight"));
        Assert.Equal(0 / 48.0, Resolved(0, 1, "model.embed_tokens.weight", "weight"));
        Assert.Equal(12 / 48.0, Resolved(0, 2, "model.layers.0.self_attn.k_proj.weight", "weight"));
        Assert.Equal(24 / 48.0, Resolved(1, 1, "model.layers.2.self_attn.o_proj.weight", "weight"));
        Assert.Equal(42 / 48.0, Resolved(1, 1, "lm_head.weight", "weight"));
        Assert.Equal(42 / 48.0, Resolved(1, 1, "model.norm.weight", "weight"));
        // model2's rest density in the second group is gene (12 + 3·2 + 2)·2 + 1 = 41.
        Assert.Equal(0.1 + 0.9 * 41 / 48.0, Resolved(1, 3, "model.layers.3.post_attention_layernorm.weight", "density"), 12);
    }

    [Fact]
    public void WithoutFiltersTheGenomeAndItsRecipeAreUnchanged()
    {
        var plain = new GenomeLayout(new GenomeConfig(["task_arithmetic", "ties"], 2, new GeneRanges(), null), 3, 4);
        // (groups × models) × (weight, density), in group, model, gene order.
        Assert.Equal(24, plain.Space.RealCount);
        Assert.Equal("layers[0,2).model0.weight", plain.GeneNames()[6]);
        var candidate = plain.Decode(new Genome(Enumerable.Range(0, 24).Select(i => i / 24.0).ToArray(), [1]));
        Assert.Equal(6 / 24.0, candidate.Groups[1].PerModel[0]["weight"]);
        string text = new RecipeComposer(plain, "/m/base", ["/m/a", "/m/b", "/m/c"], torch.ScalarType.Float32, 3).Compose(candidate).ParameterSpace;
        Assert.DoesNotContain("self_attn", text);
        Assert.DoesNotContain("normalize", text);
        Assert.Contains("  - filter: embed_tokens\n", text);
    }
}
