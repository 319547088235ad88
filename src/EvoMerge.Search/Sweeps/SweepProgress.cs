namespace EvoMerge.Search.Sweeps;

/// <summary>
/// Where a running sweep stands (what a host serves on <c>/status</c> and <c>/metrics</c>): points done of the total
/// (the checkpoint's points count as done), the point being evaluated, the best point so far by dev score, and how
/// this session's points were obtained.
/// </summary>
/// <param name="Done">Points done (from the checkpoint, the score cache or evaluated).</param>
/// <param name="Total">Points in the sweep (0 until the plan is known).</param>
/// <param name="Current">The point being evaluated (family and label), null between points.</param>
/// <param name="Best">The best point so far by dev score (finite scores only), null before one.</param>
/// <param name="Evaluated">Points built and scored in this session.</param>
/// <param name="Cached">Points taken from the score cache in this session.</param>
/// <param name="FromCheckpoint">Points taken from the checkpoint in this session (a resume's points done before).</param>
/// <param name="Failed">Points of this session that failed (counted in <paramref name="Evaluated"/> too).</param>
public sealed record SweepProgress(int Done, int Total, string? Current, SweepResult? Best, int Evaluated, int Cached, int FromCheckpoint, int Failed)
{
    /// <summary>Nothing done yet.</summary>
    public static SweepProgress None { get; } = new(0, 0, null, null, 0, 0, 0, 0);

    /// <summary>This progress after <paramref name="result"/>: one more point done, best updated, the source counted.</summary>
    public SweepProgress After(SweepResult result, SweepPointSource source) => this with
    {
        Done = Done + 1,
        Current = null,
        Best = double.IsFinite(result.Score) && (Best is null || result.Score > Best.Score) ? result : Best,
        Evaluated = Evaluated + (source == SweepPointSource.Evaluated ? 1 : 0),
        Cached = Cached + (source == SweepPointSource.ScoreCache ? 1 : 0),
        FromCheckpoint = FromCheckpoint + (source == SweepPointSource.Checkpoint ? 1 : 0),
        Failed = Failed + (source == SweepPointSource.Evaluated && result.Reason is not null ? 1 : 0),
    };
}
