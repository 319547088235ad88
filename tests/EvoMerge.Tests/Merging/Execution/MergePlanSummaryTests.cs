using EvoMerge.Merging.Execution;
using Xunit;

namespace EvoMerge.Tests.Merging.Execution;

public class MergePlanSummaryTests
{
    private const string Slerp = """
        slices:
          - sources:
              - {model: a, layer_range: [0, 4]}
              - {model: b, layer_range: [0, 4]}
        merge_method: slerp
        base_model: a
        parameters:
          t:
            - {filter: self_attn, value: [0, 1]}
            - {filter: mlp, value: [1, 0]}
            - value: 0.5
        """;

    [Fact]
    public void Rows_follow_tensor_groups_and_collapse_identical_runs_of_layers()
    {
        using var ws = new RecipeWorkspace();
        ws.Model("a", RecipeWorkspace.Spec(layers: 4), 1);
        ws.Model("b", RecipeWorkspace.Spec(layers: 4), 2);
        using var plan = ws.Plan(Slerp);
        var lines = MergePlanSummary.Describe(plan).Split('\n').Select(l => l.TrimEnd()).ToList();

        Assert.Contains("  0   layers 0-3     <- a [0, 4), b [0, 4) (base a)", lines);
        Assert.Contains("  embeddings                slerp  t=0.5  base a  b", lines);
        Assert.Contains("  layer 1        attention  slerp  t=0.333333  base a  b", lines);
        Assert.Contains("  layer 1        mlp        slerp  t=0.666667  base a  b", lines);
        Assert.Contains("  layers 0-3     norms      slerp  t=0.5  base a  b", lines);
        Assert.Contains("  head                      slerp  t=0.5  base a  b", lines);
        Assert.Single(lines, l => l.Contains("norms"));
    }

    [Fact]
    public void Layers_whose_groups_resolve_alike_are_one_row_and_filters_split_a_group()
    {
        using var ws = new RecipeWorkspace();
        ws.Model("a", RecipeWorkspace.Spec(layers: 4), 1);
        using var plan = ws.Plan("""
            slices:
              - sources: [{model: a, layer_range: [0, 2]}]
              - sources: [{model: a, layer_range: [2, 4]}]
                parameters:
                  scale: [{filter: o_proj, value: 0.5}, {value: 1}]
            merge_method: passthrough
            """);
        var lines = MergePlanSummary.Describe(plan).Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Contains("  layers 0-1     all        passthrough  a", lines);
        Assert.Contains("  layers 2-3     attention  q_proj,k_proj,v_proj: passthrough  a(scale=1) | o_proj: passthrough  a(scale=0.5)", lines);
        Assert.Contains("  layers 2-3     mlp        passthrough  a(scale=1)", lines);
    }

    [Fact]
    public void Peak_memory_is_the_largest_tensor_times_inputs_plus_two_plus_conversion_buffers()
    {
        using var ws = new RecipeWorkspace();
        ws.Model("a", RecipeWorkspace.Spec(layers: 1), 1);
        ws.Model("b", RecipeWorkspace.Spec(layers: 1), 2);
        using var plan = ws.Plan(Slerp.Replace("[0, 4]", "[0, 1]"));
        const long embedding = 32 * 16;
        Assert.Equal(embedding * (2 + 2) * 4, MergePlanSummary.EstimatePeakBytes(plan));

        using var converted = ws.Plan(Slerp.Replace("[0, 4]", "[0, 1]") + "\ndtype: float32\nout_dtype: float16\n");
        Assert.Equal(embedding * (2 + 2) * 4 + embedding * 2, MergePlanSummary.EstimatePeakBytes(converted));
    }
}
