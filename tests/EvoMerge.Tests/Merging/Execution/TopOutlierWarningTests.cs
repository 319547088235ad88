using Xunit;

namespace EvoMerge.Tests.Merging.Execution;

/// <summary>
/// breadcrumbs where floor(gamma·numel) = 0: mergekit zeroes the task vector, EvoMerge drops nothing from the top and
/// says so in one plan warning (docs/merge-semantics.md, "Deliberate differences from mergekit").
/// </summary>
public class TopOutlierWarningTests
{
    private static string Recipe(string method, double density, double gamma) => $$"""
        models:
          - model: a
            parameters: {weight: 1.0, density: {{density}}, gamma: {{gamma}}}
        merge_method: {{method}}
        base_model: base
        dtype: float32
        """;

    [Theory]
    [InlineData("breadcrumbs")]
    [InlineData("breadcrumbs_ties")]
    public void Tensors_under_100_elements_at_the_default_gamma_get_one_warning(string method)
    {
        using var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(2);
        ws.Model("base", spec, 1);
        ws.Model("a", spec, 2);
        using var plan = ws.Plan(Recipe(method, 0.5, 0.01));
        // hidden 16: the 2 × 2 layer norms and the final norm have 16 elements (floor(0.16) = 0); the k/v projections
        // 128 (floor(1.28) = 1), the rest more. 21 tensors: embeddings, 2 × 9 layer tensors, norm, head.
        var warning = Assert.Single(plan.Warnings);
        Assert.Equal(4, warning.Line);
        Assert.StartsWith($"{method}: floor(gamma·numel) = 0 in 5 of 21 tensors (e.g. model.layers.0.", warning.Problem, StringComparison.Ordinal);
        Assert.EndsWith("16 elements): mergekit zeroes their task vectors there (its outlier slice is empty)", warning.Problem, StringComparison.Ordinal);
        Assert.EndsWith("; EvoMerge drops no top magnitudes there instead", warning.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.0, 0.01)]
    [InlineData(0.5, 0.07)]
    public void No_warning_at_density_1_or_when_every_tensor_drops_a_top_magnitude(double density, double gamma)
    {
        using var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(2);
        ws.Model("base", spec, 1);
        ws.Model("a", spec, 2);
        using var plan = ws.Plan(Recipe("breadcrumbs", density, gamma));
        Assert.Empty(plan.Warnings);
    }
}
