using EvoMerge.Search.Monitoring;

namespace EvoMerge.Cluster;

/// <summary>
/// A worker's availability and the rules that change it, read off the injected clock. A worker joins as
/// <see cref="WorkerAvailability.Joining"/> and becomes <see cref="WorkerAvailability.Active"/> when it first answers a
/// ping. A failed ping loses a joining worker once <see cref="JoiningGrace"/> has passed since it joined (loading the
/// sources may keep it from answering until then), and an active one at the <see cref="MissedPingLimit"/>-th failed
/// ping in a row. Out of service (lost or unusable) is final: a restarted worker is a new member with its own liveness.
/// Not thread-safe: the pool changes it under its lock.
/// </summary>
public sealed class WorkerLiveness(TimeProvider clock)
{
    /// <summary>How long a joining worker may go without answering a ping.</summary>
    public static readonly TimeSpan JoiningGrace = TimeSpan.FromSeconds(60);

    /// <summary>Failed pings in a row that lose an active worker.</summary>
    public const int MissedPingLimit = 2;

    private readonly DateTimeOffset _joinedAt = clock.GetUtcNow();
    private int _missedPings;

    /// <summary>Where the worker stands now.</summary>
    public WorkerAvailability Availability { get; private set; } = WorkerAvailability.Joining;

    /// <summary>True while joining or active (it is pinged; an active one gets work).</summary>
    public bool InService => Availability is WorkerAvailability.Joining or WorkerAvailability.Active;

    /// <summary>Records an answered ping; true when it made a joining worker active.</summary>
    public bool Answered()
    {
        _missedPings = 0;
        if (Availability != WorkerAvailability.Joining) return false;
        Availability = WorkerAvailability.Active;
        return true;
    }

    /// <summary>Records a failed ping; true when the worker is now to be taken out as lost.</summary>
    public bool Missed() =>
        Availability == WorkerAvailability.Joining ? clock.GetUtcNow() - _joinedAt > JoiningGrace : ++_missedPings >= MissedPingLimit;

    /// <summary>Takes the worker out of service as <paramref name="availability"/> (lost or unusable); false when it already was out.</summary>
    public bool TakeOut(WorkerAvailability availability)
    {
        if (availability is not (WorkerAvailability.Lost or WorkerAvailability.Unusable))
            throw new ArgumentOutOfRangeException(nameof(availability), availability, "a worker is taken out as lost or unusable");
        if (!InService) return false;
        Availability = availability;
        return true;
    }
}
