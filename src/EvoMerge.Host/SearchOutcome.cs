namespace EvoMerge.Host;

/// <summary>How a hosted search ended.</summary>
public enum SearchOutcome
{
    /// <summary>Still running (the grace period ran out before a safe point).</summary>
    Running,

    /// <summary>The budget was reached.</summary>
    Finished,

    /// <summary>Stopped at a safe point on request; the last complete checkpoint is current.</summary>
    Stopped,

    /// <summary>An unhandled error ended it; a crash report was written.</summary>
    Crashed,

    /// <summary>
    /// The run directory's disk filled up (<see cref="Search.Runs.RunStorageFullException"/>): not a bug, so no crash
    /// report; the host rethrows it after shutting down, for the caller to report in one line.
    /// </summary>
    StorageFull,
}
