using EvoMerge.Search.Runs;

namespace EvoMerge.Host;

/// <summary>
/// Work that runs after a search reached its budget, while the host still serves <c>/metrics</c>, <c>/status</c> and
/// <c>/healthz</c> and shows progress (e.g. the demo's test-split table). <see cref="Work"/> is given the finished run,
/// a callback for its steps done of total (shown with an ETA on <c>/status</c>, the live display and the progress log
/// lines), one for log lines, and the stop token (Ctrl+C, SIGTERM); it should return soon after the token is cancelled
/// (an <see cref="OperationCanceledException"/> is how it says it stopped).
/// </summary>
/// <param name="Name">What the phase does, in words (e.g. "scoring the demo table").</param>
/// <param name="Work">The phase itself, run on its own thread.</param>
public sealed record PostSearchPhase(string Name, Action<SearchRun, Action<int, int>, Action<string>, CancellationToken> Work);
