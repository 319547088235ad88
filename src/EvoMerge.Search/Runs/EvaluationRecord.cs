using System.Text.Json.Serialization;
using EvoMerge.Search.Scoring;

namespace EvoMerge.Search.Runs;

/// <summary>
/// One row of <c>evaluations.parquet</c>: which genome of which generation, its recipe hash, how the evaluation
/// ended, objective values (config order, own direction), constraint scores, the violation, whether it came from the
/// fitness cache, item evaluations done and saved, timings, and the per-item results (JSON; empty for cache hits,
/// whose results are in the row that scored them).
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record EvaluationRecord
{
    public required int Generation { get; init; }

    public required int Index { get; init; }

    /// <summary>The genome's canonical key (<see cref="Optimization.Genome.Key"/>).</summary>
    public required string Genome { get; init; }

    /// <summary>The recipe hash ("" when the genome decodes to no valid recipe).</summary>
    public required string RecipeHash { get; init; }

    public required EvaluationStatus Status { get; init; }

    public string Reason { get; init; } = "";

    public required bool Cached { get; init; }

    public required double[] Objectives { get; init; }

    public required double[] Constraints { get; init; }

    public required double ConstraintViolation { get; init; }

    public int ItemsEvaluated { get; init; }

    public int ItemsSaved { get; init; }

    /// <summary>Tokens read to score it (0 for cache hits; reported to observers, not written to the parquet log).</summary>
    public long TokensScored { get; init; }

    public double MaterializeSeconds { get; init; }

    public double ScoreSeconds { get; init; }

    /// <summary>Per-item results as JSON (task → metric → values), "" for cache hits and failures before scoring.</summary>
    public string ItemScores { get; init; } = "";
}
