using Parquet;

namespace EvoMerge.Evaluation;

/// <summary>
/// The one way EvoMerge opens a Parquet file: the framing is checked before Parquet.Net sees the file ("PAR1" at
/// both ends; a footer length that is not negative, fits between the magics and is at most
/// <see cref="MaxFooterBytes"/>), row groups may claim at most <see cref="MaxRowsPerRowGroup"/> rows, and whatever
/// Parquet.Net throws on corrupt bytes (Thrift errors, overflows, allocations sized by corrupt fields) becomes a
/// <see cref="CorruptParquetException"/> naming the file. Messages give the failure's kind, never the file's bytes
/// or Parquet.Net's message (which may quote them).
/// </summary>
public static class SafeParquetReader
{
    /// <summary>Footers (the Thrift file metadata) larger than this are refused.</summary>
    public const int MaxFooterBytes = 64 * 1024 * 1024;

    /// <summary>Row groups claiming more rows than this are refused before any array is sized by the claim.</summary>
    public const long MaxRowsPerRowGroup = 1L << 24;

    /// <summary>"PAR1" + 4-byte footer length + "PAR1": the smallest possible framing.</summary>
    private const int FramingBytes = 12;

    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>Opens <paramref name="path"/> for reading; the reader owns (and disposes) the file stream.</summary>
    public static async Task<ParquetReader> OpenAsync(string path, CancellationToken cancellation = default)
    {
        var stream = File.OpenRead(path);
        try
        {
            if (FramingProblem(stream) is { } problem) throw new CorruptParquetException(path, null, problem);
            stream.Position = 0;
            var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: false, cancellationToken: cancellation).ConfigureAwait(false);
            if (RowCountProblem(reader) is { } rows)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                throw new CorruptParquetException(path, null, rows);
            }
            return reader;
        }
        catch (Exception e) when (IsCorruption(e))
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw Corrupt(path, null, e);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A row group whose row count is negative or above <see cref="MaxRowsPerRowGroup"/> (readers size arrays by it), or null.</summary>
    private static string? RowCountProblem(ParquetReader reader)
    {
        int g = 0;
        foreach (var group in reader.RowGroups)
        {
            long rows = group.RowCount;
            if (rows < 0) return $"is corrupt (row group {g} has a negative row count, {rows})";
            if (rows > MaxRowsPerRowGroup) return $"is corrupt or too large (row group {g} claims {rows} rows, more than the {MaxRowsPerRowGroup}-row limit)";
            g++;
        }
        return null;
    }

    /// <summary>Why <paramref name="stream"/> is not framed as a Parquet file, or null when its framing is sound.</summary>
    public static string? FramingProblem(Stream stream)
    {
        long length = stream.Length;
        if (length < FramingBytes) return $"is not a Parquet file ({length} bytes, shorter than the {FramingBytes}-byte framing)";
        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(head);
        stream.Position = length - tail.Length;
        stream.ReadExactly(tail);
        if (!head.SequenceEqual(Magic)) return "is not a Parquet file (it does not start with the PAR1 magic)";
        if (!tail[4..].SequenceEqual(Magic)) return "is not a Parquet file, or is truncated (it does not end with the PAR1 magic)";
        int footer = BitConverter.ToInt32(tail[..4]);
        if (footer < 0) return $"has a negative footer length ({footer})";
        if (footer > length - FramingBytes) return $"has a footer length of {footer} bytes, more than the file's {length - FramingBytes} bytes between its magics";
        if (footer > MaxFooterBytes) return $"has a footer length of {footer} bytes, more than the {MaxFooterBytes}-byte limit";
        return null;
    }

    /// <summary>
    /// True for what Parquet.Net throws on corrupt bytes: anything but cancellation and the project's own format
    /// errors (raised by callers inside the same try).
    /// </summary>
    public static bool IsCorruption(Exception e) =>
        e is not (OperationCanceledException or CorruptParquetException or EvalTaskFormatException);

    /// <summary>The error for a failure <paramref name="e"/> while reading <paramref name="column"/> (null: the footer) of <paramref name="path"/>.</summary>
    public static CorruptParquetException Corrupt(string path, string? column, Exception e) =>
        new(path, column, $"is corrupt ({(column is null ? "reading the footer" : "reading its data")} failed with {e.GetType().Name})", e);
}
