namespace EvoMerge.Evaluation;

/// <summary>
/// A Parquet file that cannot be read: bad framing, or data Parquet.Net fails on. The one-line message names the
/// file (and the column when known) and never quotes the file's bytes. An <see cref="IOException"/> (a file that
/// cannot be read), so the CLI reports it as a user error; <see cref="InvalidDataException"/> is sealed.
/// </summary>
public sealed class CorruptParquetException : IOException
{
    /// <summary>A problem with <paramref name="file"/> (in <paramref name="column"/> when known).</summary>
    public CorruptParquetException(string file, string? column, string problem, Exception? inner = null)
        : base($"{file}: {(column is null ? "" : $"column '{column}': ")}{problem}", inner)
    {
        File = file;
        Column = column;
        Problem = problem;
    }

    /// <summary>The Parquet file at fault.</summary>
    public string File { get; }

    /// <summary>The column being read when the problem was found, or null.</summary>
    public string? Column { get; }

    /// <summary>The problem, without the file and column.</summary>
    public string Problem { get; }
}
