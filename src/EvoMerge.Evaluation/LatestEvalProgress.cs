namespace EvoMerge.Evaluation;

/// <summary>Keeps the latest <see cref="EvalProgress"/> reported, for a display that reads it from another thread.</summary>
public sealed class LatestEvalProgress : IProgress<EvalProgress>
{
    private readonly Lock _gate = new();
    private EvalProgress? _latest;

    /// <summary>The latest report, null before the first.</summary>
    public EvalProgress? Latest
    {
        get
        {
            lock (_gate) return _latest;
        }
    }

    public void Report(EvalProgress value)
    {
        lock (_gate) _latest = value;
    }
}
