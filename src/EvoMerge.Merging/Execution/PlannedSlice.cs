using EvoMerge.Merging.Recipes;

namespace EvoMerge.Merging.Execution;

/// <summary>A recipe slice with its layer ranges resolved: output layers [OutputStart, OutputStart + Length).</summary>
/// <param name="Recipe">The slice as written.</param>
/// <param name="OutputStart">Index of the slice's first output layer.</param>
/// <param name="Length">Number of layers the slice contributes.</param>
/// <param name="Ranges">Each source's layer range, in source order.</param>
/// <param name="BaseModel">The slice's base model (slice-level, else top-level) when the method uses one.</param>
public sealed record PlannedSlice(RecipeSlice Recipe, int OutputStart, int Length, IReadOnlyList<LayerRange> Ranges, ModelReference? BaseModel);
