namespace EvoMerge.Search.Configuration;

/// <summary>A search config cannot be used; the message is "FILE:LINE: PATH: PROBLEM" (or "FILE: PROBLEM").</summary>
public sealed class SearchConfigException(string file, int? line, string problem)
    : Exception(line is null ? $"{file}: {problem}" : $"{file}:{line}: {problem}")
{
    /// <summary>The config file as named by the caller.</summary>
    public string File { get; } = file;

    /// <summary>The 1-based line at fault, when known.</summary>
    public int? Line { get; } = line;
}
