namespace EvoMerge.Search.Sweeps;

/// <summary>Where a sweep point's result came from.</summary>
public enum SweepPointSource
{
    /// <summary>Built and scored in this session.</summary>
    Evaluated,

    /// <summary>Read from the per-machine score cache.</summary>
    ScoreCache,

    /// <summary>Read from the run's checkpoint (done before a resume).</summary>
    Checkpoint,
}
