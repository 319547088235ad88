namespace EvoMerge.Merging.Recipes;

/// <summary>A recipe cannot be read or planned; the message is "FILE:LINE: PROBLEM" (or "FILE: PROBLEM").</summary>
public sealed class RecipeException(string file, int? line, string problem)
    : Exception(line is null ? $"{file}: {problem}" : $"{file}:{line}: {problem}")
{
    /// <summary>The recipe file as it was named when read.</summary>
    public string File { get; } = file;

    /// <summary>The 1-based YAML line at fault, when known.</summary>
    public int? Line { get; } = line;
}
