namespace EvoMerge.Search.Runs;

/// <summary>
/// An input of a run that changed since the run started: its kind and path (as recorded), the SHA-256 recorded and
/// the one found now (null when the file is gone).
/// </summary>
public sealed record InputChange(string Kind, string Path, string Before, string? After)
{
    /// <summary>One clause naming the change, e.g. "task file /t/a.yml changed since the run started (sha256 0123456789ab… -> …)".</summary>
    public string Describe(string runDirectory)
    {
        string path = System.IO.Path.Combine(runDirectory, Path);
        return After is null
            ? $"{Kind} {path} is gone since the run started (sha256 {Short(Before)})"
            : $"{Kind} {path} changed since the run started (sha256 {Short(Before)} -> {Short(After)})";
    }

    private static string Short(string sha256) => sha256.Length > 12 ? sha256[..12] + "…" : sha256;
}
