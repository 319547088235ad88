using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Sweeps;

namespace EvoMerge.Host;

/// <summary>
/// Where a hosted sweep stands: what its <c>/status</c> serves (snake_case JSON, <see cref="RunStatus.Json"/>). The
/// identity fields, state, elapsed and ETA mean what they mean for a search (<see cref="RunStatus"/>); kind is
/// <c>sweep</c>; points_done of points_total (the checkpoint's points count as done), the point being evaluated, the
/// best point so far by dev score, and this session's points by source (evaluated, of which failed; score cache;
/// checkpoint). ETA: the session's seconds per point (evaluated or cached) times the points left; null before one.
/// </summary>
public sealed record SweepStatus(string RunId, string RunDirectory, string Kind, string State, bool Alive, string ConfigHash, string Version,
    int PointsDone, int PointsTotal, string? CurrentPoint, SweepBest? Best, int Evaluated, int Failed, int Cached, int FromCheckpoint,
    double ElapsedSeconds, double? EtaSeconds)
{
    /// <summary>
    /// The status of a sweep with <paramref name="identity"/> at <paramref name="progress"/>, <paramref name="elapsedSeconds"/>
    /// into this session; <paramref name="alive"/>: whether a process runs it (a status read from the files by
    /// <see cref="RunStatusReader"/> has no session: elapsed 0, ETA null until finished).
    /// </summary>
    public static SweepStatus Create(RunIdentity identity, string state, SweepProgress progress, double elapsedSeconds, bool alive = true)
    {
        int session = progress.Evaluated + progress.Cached;
        int left = Math.Max(0, progress.Total - progress.Done);
        double? eta = progress.Total > 0 && left == 0 ? 0 : session > 0 ? elapsedSeconds / session * left : null;
        var best = progress.Best is { } b ? new SweepBest(b.Family, b.Label, b.Score) : null;
        return new SweepStatus(identity.RunId, identity.RunDirectory, "sweep", state, alive, identity.ConfigHash, identity.Version,
            progress.Done, progress.Total, progress.Current, best, progress.Evaluated, progress.Failed, progress.Cached, progress.FromCheckpoint, elapsedSeconds, eta);
    }
}
