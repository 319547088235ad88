using System.Globalization;
using EvoMerge.Merging.Recipes;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// breadcrumbs and breadcrumbs_ties where <c>floor(gamma·numel) = 0</c> with a density below 1 (every tensor under
/// 100 elements at the default gamma 0.01, and every tensor at gamma 0): mergekit's slice <c>[n_bottom:−0]</c> is
/// empty there and zeroes the whole task vector, leaving the base; EvoMerge drops nothing from the top instead. The
/// merge goes on (the protective result) with one warning naming how many tensors differ from mergekit's.
/// </summary>
public static class TopOutlierWarning
{
    /// <summary>The warning for a plan, or none.</summary>
    public static IEnumerable<RecipeWarning> Find(MergeRecipe recipe, IMergeMethod method, IReadOnlyList<PlannedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(tensors);
        if (method.Name is not ("breadcrumbs" or "breadcrumbs_ties")) yield break;
        var affected = tensors.Where(t => t.Models.Any(input => Affected(input.Parameters, t.Shape.Aggregate(1L, (a, b) => a * b)))).ToList();
        if (affected.Count == 0) yield break;
        var first = affected[0];
        yield return new RecipeWarning(recipe.File, recipe.MergeMethodLine, string.Create(CultureInfo.InvariantCulture,
            $"{method.Name}: floor(gamma·numel) = 0 in {affected.Count} of {tensors.Count} tensors (e.g. {first.Name}, {first.Shape.Aggregate(1L, (a, b) => a * b)} elements): mergekit zeroes their task vectors there (its outlier slice is empty)"),
            "EvoMerge drops no top magnitudes there instead");
    }

    private static bool Affected(ParameterValues parameters, long elements) =>
        parameters.Get("density", 1.0) is > 0 and < 1 && parameters.Get("gamma", 0.01) is double gamma && gamma >= 0 && Math.Floor(gamma * elements) == 0;
}
