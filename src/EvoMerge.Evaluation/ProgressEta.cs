namespace EvoMerge.Evaluation;

/// <summary>
/// The estimated time left of work done in equal steps, at the pace so far: elapsed / done × steps left; 0 once done,
/// unknown before the first step. Every progress report (eval tasks, the host's post-search phases) estimates by it.
/// </summary>
public static class ProgressEta
{
    /// <summary>Seconds left after <paramref name="done"/> of <paramref name="total"/> steps took <paramref name="elapsedSeconds"/>; null before the first step.</summary>
    public static double? Seconds(int done, int total, double elapsedSeconds) =>
        done >= total ? 0 : done > 0 ? elapsedSeconds / done * (total - done) : null;
}
