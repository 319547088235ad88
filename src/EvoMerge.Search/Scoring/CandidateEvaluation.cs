using System.Text.Json.Serialization;
using EvoMerge.Evaluation;

namespace EvoMerge.Search.Scoring;

/// <summary>
/// The evaluation of one candidate recipe: objective and constraint values in their own direction (NaN when not
/// known), the summed constraint violation, per-item values per task and metric (NaN for items not scored), and
/// what it cost.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record CandidateEvaluation
{
    /// <summary>The candidate's recipe hash.</summary>
    public required string Hash { get; init; }

    /// <summary>How the evaluation ended.</summary>
    public required EvaluationStatus Status { get; init; }

    /// <summary>Why it failed or was screened out.</summary>
    public string? Reason { get; init; }

    /// <summary>Objective values in config order (screened: subset means).</summary>
    public required double[] Objectives { get; init; }

    /// <summary>Constraint scores in config order (NaN when not scored).</summary>
    public required double[] Constraints { get; init; }

    /// <summary>Sum of constraint shortfalls (+∞ when failed).</summary>
    public required double ConstraintViolation { get; init; }

    /// <summary>Per task name, per metric, one value per item (NaN where not scored).</summary>
    public required ItemScores ItemScores { get; init; }

    /// <summary>Item evaluations done (items × tasks).</summary>
    public int ItemsEvaluated { get; init; }

    /// <summary>Item evaluations cheap-first scoring or racing skipped.</summary>
    public int ItemsSaved { get; init; }

    /// <summary>Tokens the model read to score the items evaluated (not persisted: 0 for evaluations read back on resume).</summary>
    public long TokensScored { get; init; }

    /// <summary>Seconds spent building the weights.</summary>
    public double MaterializeSeconds { get; init; }

    /// <summary>Seconds spent scoring.</summary>
    public double ScoreSeconds { get; init; }

    /// <summary>A failed evaluation with its reason.</summary>
    public static CandidateEvaluation Failure(string hash, string reason, int objectives, int constraints, double materializeSeconds = 0, double scoreSeconds = 0) => new()
    {
        Hash = hash,
        Status = EvaluationStatus.Failed,
        Reason = reason,
        Objectives = Enumerable.Repeat(double.NaN, objectives).ToArray(),
        Constraints = Enumerable.Repeat(double.NaN, constraints).ToArray(),
        ConstraintViolation = double.PositiveInfinity,
        ItemScores = ItemScores.Empty,
        MaterializeSeconds = materializeSeconds,
        ScoreSeconds = scoreSeconds,
    };
}
