using System.Text.Json;
using EvoMerge.Optimization.Pareto;

namespace EvoMerge.Search.Runs;

/// <summary>A run's Pareto archive as its last checkpoint holds it, in archive.json's member order.</summary>
public static class RunArchive
{
    /// <summary>The entries (member and feasibility) of <paramref name="runDirectory"/>'s checkpoint; refused when no generation has completed.</summary>
    public static IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> Read(string runDirectory)
    {
        var files = new RunFiles(runDirectory);
        if (!File.Exists(files.Checkpoint)) throw new FileNotFoundException($"{runDirectory}: no generation has completed yet (no checkpoint.json)", files.Checkpoint);
        var checkpoint = JsonSerializer.Deserialize<SearchCheckpoint>(File.ReadAllText(files.Checkpoint), SearchCheckpoint.Json)!;
        return checkpoint.Archive;
    }
}
