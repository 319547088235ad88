using EvoMerge.Evaluation;

namespace EvoMerge.Host;

/// <summary>
/// A post-search phase in <c>/status</c> (see <see cref="PostSearchPhase"/>): its name, steps done of total, seconds
/// since it began and the estimated seconds left at the pace so far (null before the first step; 0 once done).
/// </summary>
public sealed record PhaseStatus(string Name, int Done, int Total, double ElapsedSeconds, double? EtaSeconds)
{
    /// <summary>The status of a phase <paramref name="elapsedSeconds"/> into its run, ETA = elapsed / done × steps left.</summary>
    public static PhaseStatus Create(string name, int done, int total, double elapsedSeconds) =>
        new(name, done, total, elapsedSeconds, ProgressEta.Seconds(done, total, elapsedSeconds));
}
