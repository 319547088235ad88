namespace EvoMerge.Merging.Recipes;

/// <summary>
/// A model named in a recipe: the text as written (used in messages and as the model's name in merge inputs), the
/// local directory it resolves to (relative names resolve against the recipe file's directory), the LoRA adapter
/// directory of a <c>BASE+ADAPTER</c> name (null otherwise) and its YAML line. Two references denote the same model
/// when their <see cref="Path"/>s and <see cref="Adapter"/>s are equal.
/// </summary>
public sealed record ModelReference(string Name, string Path, int Line, string? Adapter = null)
{
    /// <summary>True when both references resolve to the same directory with the same adapter.</summary>
    public bool SameModelAs(ModelReference other) =>
        string.Equals(Path, other.Path, StringComparison.Ordinal) && string.Equals(Adapter, other.Adapter, StringComparison.Ordinal);
}
