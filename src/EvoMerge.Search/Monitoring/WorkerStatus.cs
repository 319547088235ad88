namespace EvoMerge.Search.Monitoring;

/// <summary>One evaluation worker as <c>/status</c> lists it (cluster runs only).</summary>
public sealed record WorkerStatus
{
    /// <summary>The worker's name.</summary>
    public required string Name { get; init; }

    /// <summary>Where it runs (its silo address).</summary>
    public required string Address { get; init; }

    /// <summary>joining (not answering yet), active (taking work), unusable (failed to load or evaluate; no more work) or lost (left or stopped answering).</summary>
    public required WorkerAvailability State { get; init; }

    /// <summary>Candidates sent and not answered yet.</summary>
    public required int InFlight { get; init; }

    /// <summary>Results accepted from it.</summary>
    public required int Evaluations { get; init; }

    /// <summary>Seconds it spent merging and scoring accepted candidates.</summary>
    public required double BusySeconds { get; init; }

    /// <summary>Candidates it lost or failed (each re-queued or, past the retry limit, recorded as failed).</summary>
    public required int Failures { get; init; }

    /// <summary>Why it last failed, if it did.</summary>
    public string? LastFailure { get; init; }
}
