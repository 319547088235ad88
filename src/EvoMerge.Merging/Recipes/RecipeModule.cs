namespace EvoMerge.Merging.Recipes;

/// <summary>
/// One entry of a recipe's <c>modules:</c> (mergekit's OutputModuleDefinition): the module's name (<c>default</c>, or
/// a layer-stack prefix of an inferred multi-module layout such as <c>model.language_model.layers</c>), its line, the
/// parameters it sets itself and the parameters its slices fall back to (its own over the top-level ones).
/// </summary>
public sealed record RecipeModule(string Name, int Line, RecipeParameters Own, RecipeParameters Effective);
