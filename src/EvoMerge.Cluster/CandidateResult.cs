namespace EvoMerge.Cluster;

/// <summary>
/// A worker's answer for one candidate: the evaluation (scores, per-item results, timings), or an error when the
/// worker itself could not evaluate (sources failed to load, a recipe hash mismatch), which re-queues the candidate.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class CandidateResult
{
    [Id(0)] public required string SessionId { get; init; }

    [Id(1)] public required int Generation { get; init; }

    [Id(2)] public required int Index { get; init; }

    [Id(3)] public required int Attempt { get; init; }

    [Id(4)] public required string Worker { get; init; }

    /// <summary>Why the worker could not evaluate the candidate; null when it did.</summary>
    [Id(5)] public string? Error { get; init; }

    /// <summary>The <see cref="Search.Scoring.EvaluationStatus"/> as a number.</summary>
    [Id(6)] public int Status { get; init; }

    [Id(7)] public string? Reason { get; init; }

    [Id(8)] public double[] Objectives { get; init; } = [];

    [Id(9)] public double[] Constraints { get; init; } = [];

    [Id(10)] public double ConstraintViolation { get; init; }

    /// <summary>Per task, per metric, one value per item.</summary>
    [Id(11)] public Dictionary<string, Dictionary<string, double[]>> ItemScores { get; init; } = [];

    [Id(12)] public int ItemsEvaluated { get; init; }

    [Id(13)] public int ItemsSaved { get; init; }

    [Id(14)] public long TokensScored { get; init; }

    [Id(15)] public double MaterializeSeconds { get; init; }

    [Id(16)] public double ScoreSeconds { get; init; }

    public string Key => $"{Generation}/{Index}";
}
