using EvoMerge.Search.Runs;

namespace EvoMerge.Host;

/// <summary>The run a host drives (opened before the host starts) and how it ended.</summary>
public sealed class HostedSearch : IHostedRun
{
    private SearchRun? _run;

    /// <summary>The run; throws before <see cref="Open"/>.</summary>
    public SearchRun Run => _run ?? throw new InvalidOperationException("no run opened yet");

    /// <summary>How the search ended (<see cref="SearchOutcome.Running"/> until it does).</summary>
    public SearchOutcome Outcome { get; set; } = SearchOutcome.Running;

    /// <summary>True once the search thread was started (until then the host may dispose the run).</summary>
    public bool Started { get; set; }

    /// <summary>The error that ended the search with <see cref="SearchOutcome.StorageFull"/>, if any.</summary>
    public Exception? Failure { get; set; }

    /// <summary>The crash report written, if any.</summary>
    public string? CrashReportPath { get; set; }

    /// <summary>Work run after the search reached its budget, while the host still serves (null: none).</summary>
    public PostSearchPhase? AfterSearch { get; set; }

    /// <summary>The error that ended <see cref="AfterSearch"/>, if any (the host rethrows it once it has stopped).</summary>
    public Exception? PhaseFailure { get; set; }

    /// <summary>Sets the run to drive.</summary>
    public void Open(SearchRun run) => _run = run;
}
