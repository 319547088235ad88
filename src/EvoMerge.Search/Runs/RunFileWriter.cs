using EvoMerge.Tensors;

namespace EvoMerge.Search.Runs;

/// <summary>
/// How the run store writes whole files: atomically (<see cref="AtomicFile"/>: temporary file, fsync, rename). A
/// subclass can stand in for the file system, e.g. to make a write fail as a full disk does.
/// </summary>
public class RunFileWriter
{
    /// <summary>The writer every run uses unless told otherwise.</summary>
    public static RunFileWriter Atomic { get; } = new();

    /// <summary>Writes UTF-8 <paramref name="text"/> to <paramref name="path"/>, whole or not at all.</summary>
    public virtual void WriteAllText(string path, string text) => AtomicFile.WriteAllText(path, text);
}
