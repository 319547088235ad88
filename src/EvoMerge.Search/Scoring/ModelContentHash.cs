using System.Security.Cryptography;
using System.Text;

namespace EvoMerge.Search.Scoring;

/// <summary>
/// A content hash of a model directory: SHA-256 over every file at its top level that is not hidden (the safetensors
/// shards and their index, <c>config.json</c>, the tokenizer and generation files), in ordinal name order, each as its
/// name and the SHA-256 of its bytes. Two directories with the same files hash alike wherever they are; any changed
/// byte of a weight, of the config or of the tokenizer changes it.
/// </summary>
public static class ModelContentHash
{
    /// <summary>The lowercase hex hash of <paramref name="directory"/>, its files hashed through <paramref name="hashes"/>.</summary>
    public static string Of(string directory, FileContentHashes hashes)
    {
        var files = Directory.EnumerateFiles(directory)
            .Select(f => (Name: Path.GetFileName(f), Path: f))
            .Where(f => !f.Name.StartsWith('.'))
            .OrderBy(f => f.Name, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var (name, path) in files) text.Append(name).Append('\0').Append(hashes.Of(path)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
