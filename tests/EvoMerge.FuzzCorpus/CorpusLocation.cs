namespace EvoMerge.FuzzCorpus;

/// <summary>Where the committed corpus lives: tests/fuzz-corpus under the repository root (the folder holding EvoMerge.sln).</summary>
public static class CorpusLocation
{
    /// <summary>tests/fuzz-corpus of the repository found from the current directory upwards (or from this assembly's folder).</summary>
    public static string Default()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "EvoMerge.sln"))) return Path.Combine(dir.FullName, "tests", "fuzz-corpus");
            }
        }
        throw new DirectoryNotFoundException("EvoMerge.sln not found above the current directory; pass --out DIR");
    }
}
