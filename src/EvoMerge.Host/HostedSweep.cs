using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Sweeps;

namespace EvoMerge.Host;

/// <summary>The sweep a <see cref="SweepHost"/> drives (opened before the host starts), its state, its status and how it ended.</summary>
public sealed class HostedSweep(TimeProvider clock) : IHostedRun
{
    private SweepRun? _run;
    private volatile string _state = "starting";
    private long _opened;

    /// <summary>The sweep; throws before <see cref="Open"/>.</summary>
    public SweepRun Run => _run ?? throw new InvalidOperationException("no sweep opened yet");

    /// <summary>The run's identity (run id, config hash, version), set by <see cref="Open"/>.</summary>
    public RunIdentity? Identity { get; private set; }

    /// <summary>starting, running, stopping, stopped, finished or crashed.</summary>
    public string State
    {
        get => _state;
        set => _state = value;
    }

    /// <summary>How the sweep ended (<see cref="SearchOutcome.Running"/> until it does).</summary>
    public SearchOutcome Outcome { get; set; } = SearchOutcome.Running;

    /// <summary>True once the sweep thread was started (until then the host may dispose the run).</summary>
    public bool Started { get; set; }

    /// <summary>The table as Markdown once the sweep finished.</summary>
    public string? Table { get; set; }

    /// <summary>The error that ended the sweep with <see cref="SearchOutcome.StorageFull"/>, if any.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Sets the sweep to drive; this session's elapsed time counts from here.</summary>
    public void Open(SweepRun run)
    {
        _opened = clock.GetTimestamp();
        Identity = RunIdentity.Of(run.Setup.Config.RunDirectory, run.Config.Text);
        _run = run;
    }

    /// <summary>What <c>/status</c> serves now; null before <see cref="Open"/>.</summary>
    public SweepStatus? Snapshot() =>
        _run is { } run && Identity is { } identity ? SweepStatus.Create(identity, State, run.Progress, clock.GetElapsedTime(_opened).TotalSeconds) : null;
}
