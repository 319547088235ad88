namespace EvoMerge.Merging.Recipes;

/// <summary>
/// One output slice: its sources (all spanning the same number of layers), an optional slice-level
/// <c>base_model</c> and slice parameters. A <c>models:</c> recipe is one slice labelled "models".
/// </summary>
public sealed record RecipeSlice(IReadOnlyList<RecipeSource> Sources, ModelReference? BaseModel, RecipeParameters Parameters, int Line, string Label)
{
    /// <summary>The <c>modules:</c> entry the slice belongs to; null for a top-level <c>models:</c> or <c>slices:</c>.</summary>
    public RecipeModule? Module { get; init; }
}
