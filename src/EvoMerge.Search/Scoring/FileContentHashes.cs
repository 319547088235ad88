using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Scoring;

/// <summary>
/// SHA-256 of files' bytes (streamed), remembered per (real path, size, last-write time): in memory, and as one small
/// JSON file per real path under <paramref name="memoDirectory"/> (when given), so a later run hashes a 7B model's
/// weights again only when a file changed. Symbolic links (Hugging Face snapshots) are followed to the real file. A
/// memo that does not match the file's path, size and time exactly, or does not parse, is ignored and rewritten.
/// </summary>
public sealed class FileContentHashes(string? memoDirectory)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly ConcurrentDictionary<(string Path, long Size, long Ticks), string> _known = new();
    private int _filesRead;

    /// <summary>How many files were read and hashed (not found in memory or in the memo files).</summary>
    public int FilesRead => _filesRead;

    /// <summary>The lowercase hex SHA-256 of <paramref name="path"/>'s bytes.</summary>
    public string Of(string path)
    {
        var info = new FileInfo(path);
        string real = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
        var before = Stat(real);
        if (_known.TryGetValue(before, out string? known)) return known;
        string? memo = memoDirectory is null ? null : Path.Combine(memoDirectory, Sha256(Encoding.UTF8.GetBytes(real)) + ".json");
        if (memo is not null && ReadMemo(memo) is { } entry && entry.Path == real && entry.Size == before.Size && entry.Ticks == before.Ticks
            && entry.Sha256 is { Length: 64 })
        {
            _known[before] = entry.Sha256;
            return entry.Sha256;
        }
        string hash;
        using (var stream = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
            hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        Interlocked.Increment(ref _filesRead);
        if (Stat(real) != before) return hash; // changed while read: do not remember it
        _known[before] = hash;
        if (memo is not null) WriteMemo(memo, new FileHashMemo(real, before.Size, before.Ticks, hash));
        return hash;
    }

    private static (string Path, long Size, long Ticks) Stat(string real)
    {
        var info = new FileInfo(real);
        return (real, info.Length, info.LastWriteTimeUtc.Ticks);
    }

    private static FileHashMemo? ReadMemo(string memo)
    {
        try
        {
            return File.Exists(memo) ? JsonSerializer.Deserialize<FileHashMemo>(File.ReadAllText(memo), Json) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void WriteMemo(string memo, FileHashMemo entry)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(memo)!);
            AtomicFile.WriteAllText(memo, JsonSerializer.Serialize(entry, Json) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A memo is only a shortcut: without it the next run hashes the file again.
        }
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>One memo file: the real path, its size and last-write ticks (UTC) when hashed, and the hash.</summary>
    private sealed record FileHashMemo(string Path, long Size, long Ticks, string Sha256);
}
