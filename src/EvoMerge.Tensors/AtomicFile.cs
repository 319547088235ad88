using System.Text;

namespace EvoMerge.Tensors;

/// <summary>
/// Writes files so that a crash never leaves a half-written file under the final name: the content goes to a
/// temporary file in the same directory, is flushed to disk (fsync), and is then renamed over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>Suffix of temporary files; leftovers from a crash can be recognised and removed.</summary>
    public const string TempSuffix = ".evomerge-tmp";

    /// <summary>A temporary name beside <paramref name="path"/>.</summary>
    public static string TempPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..8] + TempSuffix);

    /// <summary>Writes <paramref name="write"/>'s output atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string temp = TempPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            SyncDirectory(path);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes bytes atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>Writes UTF-8 text (no BOM) atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Encoding.UTF8.GetBytes(text));

    /// <summary>Renames a finished temporary file onto its final name and makes the rename durable.</summary>
    public static void Commit(string temp, string path)
    {
        File.Move(temp, path, overwrite: true);
        SyncDirectory(path);
    }

    /// <summary>Deletes a file, ignoring a missing one or an I/O failure (used on cleanup paths).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>fsyncs the directory holding <paramref name="path"/> so a rename survives a power loss (POSIX only).</summary>
    private static void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is null) return;
        try
        {
            using var handle = File.OpenHandle(dir, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.None);
            RandomAccess.FlushToDisk(handle);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
