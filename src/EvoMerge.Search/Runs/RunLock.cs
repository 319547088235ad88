namespace EvoMerge.Search.Runs;

/// <summary>
/// Exclusive use of a run directory through an OS file lock on <c>run.lock</c> (flock on Linux, taken by opening the
/// file with <see cref="FileShare.None"/>). The OS drops the lock when the holder exits, even when it is killed, so a
/// crashed run's lock file never blocks a resume; a second live process is refused with a clear error.
/// </summary>
public sealed class RunLock : IDisposable
{
    /// <summary>Name of the lock file in the run directory.</summary>
    public const string FileName = "run.lock";

    private const string OwnerFileName = "run.owner";

    private readonly FileStream _stream;

    private RunLock(FileStream stream)
    {
        _stream = stream;
    }

    /// <summary>
    /// Takes the lock of <paramref name="runDirectory"/> (created when missing) or throws <see cref="IOException"/>;
    /// the owner note's time comes from <paramref name="clock"/> (default <see cref="TimeProvider.System"/>).
    /// </summary>
    public static RunLock Acquire(string runDirectory, TimeProvider? clock = null)
    {
        Directory.CreateDirectory(runDirectory);
        string path = Path.Combine(runDirectory, FileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            string owner = "";
            try
            {
                owner = " (" + File.ReadAllText(Path.Combine(runDirectory, OwnerFileName)).Trim() + ")";
            }
            catch (IOException)
            {
            }
            throw new IOException($"{runDirectory}: run directory is in use by another evomerge process{owner}; its lock {path} is held");
        }
        Tensors.AtomicFile.WriteAllText(Path.Combine(runDirectory, OwnerFileName),
            $"pid {Environment.ProcessId} on {Environment.MachineName} since {(clock ?? TimeProvider.System).GetUtcNow():yyyy-MM-ddTHH:mm:ssZ}\n");
        return new RunLock(stream);
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
