using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Execution;

/// <summary>Recipes EvoMerge refused where mergekit accepts them now merge as mergekit merges them.</summary>
public class MergekitAcceptedRecipeTests
{
    // ties over one fine-tune with weight 1 and every element kept: all signs agree with the elected sign, so the
    // merge is base + 1·δ/1 = the fine-tune (mergekit's magnitude sparsifier returns δ unchanged for density ≥ 1).
    [Fact]
    public void A_ties_density_above_1_keeps_every_element_so_one_fine_tune_at_weight_1_is_returned()
    {
        using var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(layers: 2);
        ws.Model("base", spec, 1);
        ws.FineTune("a", spec, 1, 7, noise: 0.05);
        using var plan = ws.Plan("models:\n  - model: a\n    parameters: {weight: 1, density: 1.5}\nmerge_method: ties\nbase_model: base\ndtype: float32\n");
        Assert.Equal("models[0].parameters.density: 1.5 is above 1, the top of ties's 'density' (0, 1]", Assert.Single(plan.Warnings).Problem);
        ws.Merge("models:\n  - model: a\n    parameters: {weight: 1, density: 1.5}\nmerge_method: ties\nbase_model: base\ndtype: float32\n");
        foreach (string name in new[] { "model.layers.1.mlp.down_proj.weight", "model.layers.0.self_attn.q_proj.weight", "model.norm.weight" })
        {
            using var expected = ws.Load("a", name);
            using var actual = ws.Load("out", name);
            Assert.True(torch.allclose(actual, expected, rtol: 0, atol: 1e-6), name);
        }
    }
}
