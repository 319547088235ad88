using System.Security.Cryptography;

namespace EvoMerge.IntegrationTests;

/// <summary>Every entry under some directories as one string: paths, and for files the length, last write time and SHA-256.</summary>
public static class FileTreeSnapshot
{
    public static string Of(params string[] roots) => string.Join("\n", roots
        .SelectMany(r => Directory.GetFileSystemEntries(r, "*", SearchOption.AllDirectories))
        .Order(StringComparer.Ordinal)
        .Select(p => File.Exists(p) ? $"{p} {new FileInfo(p).Length} {File.GetLastWriteTimeUtc(p).Ticks} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p)))}" : p));
}
