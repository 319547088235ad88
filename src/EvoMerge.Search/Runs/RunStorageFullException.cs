namespace EvoMerge.Search.Runs;

/// <summary>
/// The run directory's file system is full: one line naming the file being written and, once known, the generation
/// whose results it held (as the log numbers generations). Atomic writes leave the previous checkpoint whole.
/// </summary>
public sealed class RunStorageFullException(string file, int? generation, Exception inner)
    : IOException(Describe(file, generation), inner)
{
    /// <summary>The file whose write failed (its final name, not the temporary one).</summary>
    public string File { get; } = file;

    /// <summary>The generation being checkpointed, or null before the first one.</summary>
    public int? Generation { get; } = generation;

    /// <summary>The same failure, attributed to <paramref name="generationIndex"/>.</summary>
    public RunStorageFullException During(int generationIndex) => new(File, generationIndex, InnerException!);

    private static string Describe(string file, int? generation) => generation is { } g
        ? $"no space left on device writing {file} (generation {g}); the previous checkpoint is intact: free space, then `evomerge resume {Path.GetDirectoryName(file)}`"
        : $"no space left on device writing {file}";
}
