using EvoMerge.Merging;
using EvoMerge.Merging.Recipes;
using EvoMerge.Optimization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search.Genomes;

/// <summary><c>genome.smooth</c>: layer groups are control points of one gradient, resolved per layer as mergekit interpolates.</summary>
public class SmoothGenomeTests
{
    private static double ResolvedWeight(MergeRecipe recipe, int source, string tensor, double t)
    {
        var resolver = new ParameterResolver(recipe, MergeMethodRegistry.Default.Get("task_arithmetic"));
        return resolver.PerModel(recipe.Slices[0], recipe.Slices[0].Sources[source], false, tensor, t).Get("weight");
    }

    private static MergeRecipe Compose(GenomeLayout layout, double[] reals) =>
        RecipeReader.Parse(new RecipeComposer(layout, "/m/base", ["/m/a", "/m/b"], torch.ScalarType.Float32, 1)
            .Compose(layout.Decode(Genome.OfReals(reals))).ParameterSpace, "merge.yml", "/");

    [Fact]
    public void ThreeControlPointsSpreadOverFourLayersInterpolateLinearly()
    {
        var layout = new GenomeLayout(new GenomeConfig(["task_arithmetic"], 3, new GeneRanges(), null) { Smooth = true }, 2, 4);
        // Groups embeddings, 3 control points, head; 2 models; one weight gene each: gene (group·2 + model).
        Assert.Equal(10, layout.Space.RealCount);
        Assert.Equal(["embeddings.model0.weight", "embeddings.model1.weight", "layers@0.model0.weight", "layers@0.model1.weight",
            "layers@1.5.model0.weight", "layers@1.5.model1.weight", "layers@3.model0.weight", "layers@3.model1.weight",
            "head.model0.weight", "head.model1.weight"], layout.GeneNames());
        double[] reals = [0.2, 0.5, 0.3, 0.5, 0.6, 0.5, 0.9, 0.5, 0.8, 0.5];
        var recipe = Compose(layout, reals);
        var slice = Assert.Single(recipe.Slices);
        Assert.Equal(0, slice.Sources[1].LayerRange!.Value.Start);
        Assert.Equal(4, slice.Sources[1].LayerRange!.Value.End);
        // Control points a = 0.3, b = 0.6, c = 0.9 for model0 (source 1; source 0 is the base). Layer i of 4 is at
        // t = i/3; x = t·(3 − 1) = 2i/3 between points floor(x) and floor(x) + 1:
        //   layer 0: x = 0           → a                 = 0.3
        //   layer 1: x = 2/3         → a/3 + 2b/3        = 0.1 + 0.4 = 0.5
        //   layer 2: x = 4/3         → 2b/3 + c/3        = 0.4 + 0.3 = 0.7
        //   layer 3: x = 2           → c                 = 0.9
        double[] expected = [0.3, 0.5, 0.7, 0.9];
        for (int layer = 0; layer < 4; layer++)
            Assert.Equal(expected[layer], ResolvedWeight(recipe, 1, $"model.layers.{layer}.mlp.up_proj.weight", ParameterResolver.LayerPosition(layer, 4)), 12);
        // The embedding and head groups keep their own constants (genes 0 and 8).
        Assert.Equal(0.2, ResolvedWeight(recipe, 1, "model.embed_tokens.weight", 0));
        Assert.Equal(0.8, ResolvedWeight(recipe, 1, "lm_head.weight", 0));
    }

    [Fact]
    public void WithFiltersEachSetIsItsOwnGradient()
    {
        var layout = new GenomeLayout(new GenomeConfig(["task_arithmetic"], 2, new GeneRanges(), null) { Smooth = true, Filters = ["mlp"] }, 2, 4);
        // embeddings: genes 0, 1; control point 1: model0 mlp 2, rest 3, model1 mlp 4, rest 5; point 2: 6, 7, 8, 9; head 10, 11.
        Assert.Equal(12, layout.Space.RealCount);
        Assert.Equal("layers@3.model0.mlp.weight", layout.GeneNames()[6]);
        double[] reals = [0.5, 0.5, 0.2, 0.4, 0.5, 0.5, 0.8, 0.4, 0.5, 0.5, 0.5, 0.5];
        var recipe = Compose(layout, reals);
        // mlp: points 0.2 and 0.8 at layers 0 and 3; layer i is at t = i/3 and x = t·(2 − 1) = i/3:
        //   layer 1: 2/3·0.2 + 1/3·0.8 = 0.4; layer 2: 1/3·0.2 + 2/3·0.8 = 0.6. The rest is 0.4 everywhere.
        double[] mlp = [0.2, 0.4, 0.6, 0.8];
        for (int layer = 0; layer < 4; layer++)
        {
            double t = ParameterResolver.LayerPosition(layer, 4);
            Assert.Equal(mlp[layer], ResolvedWeight(recipe, 1, $"model.layers.{layer}.mlp.gate_proj.weight", t), 12);
            Assert.Equal(0.4, ResolvedWeight(recipe, 1, $"model.layers.{layer}.self_attn.v_proj.weight", t), 12);
        }
    }
}
