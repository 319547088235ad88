namespace EvoMerge.Cluster;

/// <summary>How the orchestrator drives its workers.</summary>
public sealed record ClusterSettings
{
    /// <summary>Candidates sent to one worker and not answered yet, at most (one running, the next queued behind it
    /// while enough candidates are queued for every worker; see <see cref="WorkerDispatch"/>).</summary>
    public int MaxInFlightPerWorker { get; init; } = 2;

    /// <summary>
    /// Workers that must be active at the same time before the first candidate is sent (so that a run on a fleet does
    /// not start on whichever worker joined first); once reached, candidates go to whichever workers are active.
    /// </summary>
    public int MinWorkers { get; init; } = 1;

    /// <summary>Tries per candidate: after this many lost attempts it is recorded as failed with every reason.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Seconds between liveness pings.</summary>
    public double PingIntervalSeconds { get; init; } = 1;

    /// <summary>Seconds a ping may take before it counts as missed; two missed in a row lose the worker.</summary>
    public double PingTimeoutSeconds { get; init; } = 5;
}
