namespace EvoMerge.Evaluation;

/// <summary>
/// A task YAML or its Parquet data that cannot be used. The one-line message names the file, the line (for YAML)
/// and the field or column at fault.
/// </summary>
public sealed class EvalTaskFormatException : Exception
{
    /// <summary>A problem with <paramref name="field"/> of <paramref name="file"/> (at <paramref name="line"/>, 1-based, when known).</summary>
    public EvalTaskFormatException(string file, int? line, string? field, string problem)
        : base($"{file}{(line is int l ? $":{l}" : "")}: {(field is null ? "" : field + ": ")}{problem}")
    {
        File = file;
        Line = line;
        Field = field;
    }

    /// <summary>The YAML or Parquet file at fault.</summary>
    public string File { get; }

    /// <summary>The 1-based line in a YAML file, or null.</summary>
    public int? Line { get; }

    /// <summary>The YAML key or Parquet column at fault, or null for the whole file.</summary>
    public string? Field { get; }
}
