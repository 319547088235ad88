namespace EvoMerge.Merging.Recipes;

/// <summary>
/// One input of a slice: a model, its layer range (null under <c>models:</c>, meaning all of the model's layers)
/// and its per-model parameters. <see cref="Label"/> says where it was written ("models[1]",
/// "slices[0].sources[1]", or "base_model" for a base model added as a source).
/// </summary>
public sealed record RecipeSource(ModelReference Model, LayerRange? LayerRange, RecipeParameters Parameters, int Line, string Label);
