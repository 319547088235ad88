namespace EvoMerge.Merging.Recipes;

/// <summary>A model path written relative in the recipe text: the YAML scalar's character range and the directory it resolves to.</summary>
/// <param name="Start">Index of the scalar's first character (its opening quote, when quoted).</param>
/// <param name="End">Index just after the scalar.</param>
/// <param name="Path">The full path the scalar resolves to.</param>
/// <param name="Adapter">The full path of the LoRA adapter of a <c>BASE+ADAPTER</c> scalar, or null.</param>
public sealed record ModelPathSpan(int Start, int End, string Path, string? Adapter = null);
