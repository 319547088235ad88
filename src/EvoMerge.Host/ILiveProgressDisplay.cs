namespace EvoMerge.Host;

/// <summary>
/// A live progress display the caller supplies (the CLI's terminal display); the host draws nothing itself. It runs
/// instead of progress log lines when progress is <c>live</c>, or <c>auto</c> and <see cref="HasTerminal"/>; without
/// one the host logs progress lines.
/// </summary>
public interface ILiveProgressDisplay
{
    /// <summary>True when the process's output is a terminal the display can draw on (what <c>auto</c> asks).</summary>
    bool HasTerminal { get; }

    /// <summary>Shows <paramref name="progress"/> until <paramref name="stopping"/> is cancelled, then once more.</summary>
    Task ShowAsync(RunProgress progress, CancellationToken stopping);
}
