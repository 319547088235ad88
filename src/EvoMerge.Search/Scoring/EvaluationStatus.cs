namespace EvoMerge.Search.Scoring;

/// <summary>How a candidate's evaluation ended.</summary>
public enum EvaluationStatus
{
    /// <summary>Every item of every task was scored.</summary>
    Scored,
    /// <summary>Cheap-first scoring or racing stopped after a subset or a round: an archive member dominates it with confidence.</summary>
    Screened,
    /// <summary>Materialising or scoring failed, the merged weights held NaN or ±∞, or a score was NaN or infinite; the candidate is infeasible.</summary>
    Failed,
}
