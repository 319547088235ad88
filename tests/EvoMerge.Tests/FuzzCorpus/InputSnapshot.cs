using System.Security.Cryptography;

namespace EvoMerge.Tests.FuzzCorpus;

/// <summary>
/// Every entry under some directories (links not followed): its kind, and for files the SHA-256 of the bytes, the
/// length and the last write time; for links the target. Two snapshots are equal when nothing was written,
/// created, removed or retargeted.
/// </summary>
internal sealed class InputSnapshot
{
    private readonly SortedDictionary<string, string> _entries = new(StringComparer.Ordinal);

    public static InputSnapshot Of(IEnumerable<string> paths)
    {
        var snapshot = new InputSnapshot();
        foreach (string path in paths) snapshot.Add(path);
        return snapshot;
    }

    private void Add(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            _entries[path] = "link -> " + target;
        }
        else if (Directory.Exists(path))
        {
            _entries[path] = "directory";
            foreach (string entry in Directory.EnumerateFileSystemEntries(path)) Add(entry);
        }
        else if (info.Exists)
        {
            using var stream = File.OpenRead(path);
            _entries[path] = $"file {info.Length} {info.LastWriteTimeUtc.Ticks} {Convert.ToHexString(SHA256.HashData(stream))}";
        }
        else
        {
            _entries[path] = "missing";
        }
    }

    public int Count => _entries.Count;

    /// <summary>What differs from <paramref name="after"/>, one line per path (empty when nothing does).</summary>
    public List<string> Differences(InputSnapshot after)
    {
        var differences = new List<string>();
        foreach (var (path, before) in _entries)
        {
            if (!after._entries.TryGetValue(path, out string? now)) differences.Add($"{path}: removed ({before})");
            else if (now != before) differences.Add($"{path}: {before} -> {now}");
        }
        differences.AddRange(after._entries.Keys.Where(p => !_entries.ContainsKey(p)).Select(p => $"{p}: created ({after._entries[p]})"));
        return differences;
    }
}
