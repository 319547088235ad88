namespace EvoMerge.Search.Runs;

/// <summary>
/// A resume given <c>--accept-changes</c>, recorded in <c>run.json</c>: when (the run's clock, UTC) and which inputs
/// had changed; from then on the inputs' new fingerprints are the reference.
/// </summary>
public sealed record AcceptedInputChanges(DateTimeOffset At, IReadOnlyList<InputChange> Changes);
