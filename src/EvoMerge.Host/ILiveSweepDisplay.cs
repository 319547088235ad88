namespace EvoMerge.Host;

/// <summary>
/// A live display of a sweep's progress the caller supplies (the CLI's terminal display), as
/// <see cref="ILiveProgressDisplay"/> is for a search: it runs instead of progress log lines when progress is
/// <c>live</c>, or <c>auto</c> and <see cref="HasTerminal"/>.
/// </summary>
public interface ILiveSweepDisplay
{
    /// <summary>True when the process's output is a terminal the display can draw on (what <c>auto</c> asks).</summary>
    bool HasTerminal { get; }

    /// <summary>Shows the status <paramref name="read"/> returns (null before the sweep is open) until <paramref name="stopping"/> is cancelled, then once more.</summary>
    Task ShowAsync(Func<SweepStatus?> read, CancellationToken stopping);
}
