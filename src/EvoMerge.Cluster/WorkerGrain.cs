using Orleans.Concurrency;

namespace EvoMerge.Cluster;

/// <summary>The worker grain: forwards to the process's <see cref="WorkerEvaluationQueue"/>; refuses to live on another worker's silo.</summary>
[WorkerPlacement]
[Reentrant]
public sealed class WorkerGrain(WorkerEvaluationQueue queue) : Grain, IWorkerGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string key = this.GetPrimaryKeyString();
        return key == queue.Name ? Task.CompletedTask : throw new InvalidOperationException($"worker grain {key} activated on worker {queue.Name}");
    }

    public Task<WorkerState> Prepare(WorkSession session)
    {
        queue.Prepare(session);
        return Task.FromResult(queue.State());
    }

    public Task Start(CandidateWork work, IEvaluationReceiver receiver)
    {
        queue.Enqueue(work, receiver);
        return Task.CompletedTask;
    }

    public Task<WorkerState> Ping() => Task.FromResult(queue.State());
}
