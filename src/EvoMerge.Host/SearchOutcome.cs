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
}
