using Orleans.Concurrency;

namespace EvoMerge.Cluster;

/// <summary>
/// A worker process's evaluation queue as a grain, placed on that worker's silo (<see cref="WorkerPlacement"/>). Every
/// call returns at once: evaluations run on the worker's own thread and report through the
/// <see cref="IEvaluationReceiver"/> they were sent with, so no call waits on minutes of work.
/// </summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Starts loading the session's sources (a no-op when loaded).</summary>
    [AlwaysInterleave]
    Task<WorkerState> Prepare(WorkSession session);

    /// <summary>Queues a candidate; its result goes to <paramref name="receiver"/>.</summary>
    [AlwaysInterleave]
    Task Start(CandidateWork work, IEvaluationReceiver receiver);

    /// <summary>Liveness and what the worker holds.</summary>
    [AlwaysInterleave]
    Task<WorkerState> Ping();
}
