using EvoMerge.Cluster;

namespace EvoMerge.Tests.Cluster;

/// <summary>
/// A worker grain played by the test: it answers pings while <see cref="Answering"/> (a ping sent while it is not
/// never completes, like a hung or stopped process), accepts every candidate it is sent and records each ping's
/// time (read off the pool's clock) and each candidate.
/// </summary>
public sealed class ScriptedWorkerGrain(string name, TimeProvider clock) : IWorkerGrain
{
    private readonly Lock _gate = new();
    private readonly List<DateTimeOffset> _pings = [];
    private readonly List<CandidateWork> _started = [];

    public string Name { get; } = name;

    private volatile bool _answering = true;

    /// <summary>Whether pings are answered.</summary>
    public bool Answering
    {
        get => _answering;
        set => _answering = value;
    }

    /// <summary>When each ping arrived.</summary>
    public IReadOnlyList<DateTimeOffset> Pings
    {
        get
        {
            lock (_gate) return [.. _pings];
        }
    }

    /// <summary>The candidates sent, in order.</summary>
    public IReadOnlyList<CandidateWork> Started
    {
        get
        {
            lock (_gate) return [.. _started];
        }
    }

    public Task<WorkerState> Prepare(WorkSession session) => Task.FromResult(State());

    public Task Start(CandidateWork work, IEvaluationReceiver receiver)
    {
        lock (_gate) _started.Add(work);
        return Task.CompletedTask;
    }

    public Task<WorkerState> Ping()
    {
        lock (_gate) _pings.Add(clock.GetUtcNow());
        return Answering ? Task.FromResult(State()) : new TaskCompletionSource<WorkerState>().Task;
    }

    private WorkerState State()
    {
        lock (_gate) return new WorkerState { Name = Name, Held = [.. _started.Select(w => w.Key)] };
    }
}
