namespace EvoMerge.Merging.Recipes;

/// <summary>
/// One entry of the recipe's <c>proxy_tasks:</c> map (for esm): the model, as written in the recipe, whose proxy
/// prompts come from the eval task YAML at <paramref name="TaskPath"/> (resolved against the recipe's directory).
/// </summary>
public sealed record ProxyTask(ModelReference Model, string TaskPath, int Line);
