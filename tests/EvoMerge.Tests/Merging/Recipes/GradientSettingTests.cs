using EvoMerge.Merging;
using EvoMerge.Merging.Recipes;
using Xunit;

namespace EvoMerge.Tests.Merging.Recipes;

public class GradientSettingTests
{
    [Fact]
    public void Three_anchors_over_five_layers_are_linear()
    {
        double[] anchors = [0, 0.5, 1];
        var values = Enumerable.Range(0, 5).Select(i => GradientSetting.Interpolate(anchors, ParameterResolver.LayerPosition(i, 5)));
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], values);
    }

    [Fact]
    public void Four_anchors_over_forty_layers_match_the_reference_run()
    {
        double[] anchors = [0, 0.3, 0.7, 1];
        int[] layers = [0, 10, 13, 20, 39];
        double[] expected = [0, 0.230769, 0.3, 0.515385, 1];
        for (int i = 0; i < layers.Length; i++)
            Assert.Equal(expected[i], GradientSetting.Interpolate(anchors, ParameterResolver.LayerPosition(layers[i], 40)), 6);
    }

    [Fact]
    public void A_one_layer_slice_sits_at_t_1_and_a_single_anchor_is_constant()
    {
        Assert.Equal(1.0, ParameterResolver.LayerPosition(0, 1));
        Assert.Equal(0.0, ParameterResolver.LayerPosition(0, 7));
        Assert.Equal(0.7, GradientSetting.Interpolate([0.7], 0.4));
        Assert.Equal(5.0, GradientSetting.Interpolate([1, 5], 1.0));
    }

    [Fact]
    public void Boolean_lists_are_step_functions()
    {
        var setting = new GradientSetting([1, 0, 1], ParameterKind.Boolean, 1);
        Assert.Equal(1.0, setting.Evaluate("x", 0.0));
        Assert.Equal(1.0, setting.Evaluate("x", 0.49));
        Assert.Equal(0.0, setting.Evaluate("x", 0.5));
        Assert.Equal(0.0, setting.Evaluate("x", 0.99));
        Assert.Equal(1.0, setting.Evaluate("x", 1.0));
    }

    [Fact]
    public void The_first_matching_filter_wins_and_star_or_no_filter_match_everything()
    {
        var setting = new ConditionalSetting(
        [
            new FilteredValue("o_proj", new ScalarSetting(0.5, ParameterKind.Number, 1), 1),
            new FilteredValue("self_attn", new ScalarSetting(0.25, ParameterKind.Number, 2), 2),
            new FilteredValue("*", new GradientSetting([0, 1], ParameterKind.Number, 3), 3),
            new FilteredValue(null, new ScalarSetting(9, ParameterKind.Number, 4), 4),
        ], 1);
        Assert.Equal(0.5, setting.Evaluate("model.layers.0.self_attn.o_proj.weight", 0));
        Assert.Equal(0.25, setting.Evaluate("model.layers.0.self_attn.q_proj.weight", 0));
        Assert.Equal(0.75, setting.Evaluate("model.layers.0.mlp.up_proj.weight", 0.75));

        var noFallback = new ConditionalSetting([new FilteredValue("mlp", new ScalarSetting(1, ParameterKind.Number, 1), 1)], 1);
        Assert.Null(noFallback.Evaluate("model.embed_tokens.weight", 0));
    }
}
