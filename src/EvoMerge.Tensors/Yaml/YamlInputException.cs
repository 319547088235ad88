namespace EvoMerge.Tensors.Yaml;

/// <summary>
/// A YAML input refused before it is used: over one of its <see cref="YamlLimits"/>, or not UTF-8 text. The message
/// is one line, "FILE: PROBLEM" or "FILE:LINE: PROBLEM"; readers rethrow it as their own error type.
/// </summary>
public sealed class YamlInputException(string file, int? line, string problem)
    : Exception(line is null ? $"{file}: {problem}" : $"{file}:{line}: {problem}")
{
    /// <summary>The file as named by the caller.</summary>
    public string File { get; } = file;

    /// <summary>The 1-based line at fault, when known.</summary>
    public int? Line { get; } = line;

    /// <summary>The problem, without the file and line.</summary>
    public string Problem { get; } = problem;
}
