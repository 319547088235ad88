using System.Text.Json.Serialization;

namespace EvoMerge.Optimization;

/// <summary>
/// A genome with its evaluation. Every objective is minimised (callers negate objectives they maximise).
/// <see cref="ConstraintViolation"/> is 0 for a feasible candidate and the amount of violation otherwise; a failed
/// evaluation uses <see cref="double.PositiveInfinity"/>. NaN objectives count as +∞ and a NaN violation as +∞.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record EvaluatedGenome(Genome Genome, double[] Objectives, double ConstraintViolation)
{
    /// <summary>A feasible evaluation.</summary>
    public static EvaluatedGenome Feasible(Genome genome, params double[] objectives) => new(genome, objectives, 0.0);

    /// <summary>A failed evaluation: infinitely infeasible, objectives +∞.</summary>
    public static EvaluatedGenome Failed(Genome genome, int objectiveCount) =>
        new(genome, Enumerable.Repeat(double.PositiveInfinity, objectiveCount).ToArray(), double.PositiveInfinity);

    /// <summary>True when the violation is zero.</summary>
    [JsonIgnore]
    public bool IsFeasible => FitnessValues.Violation(ConstraintViolation) == 0.0;
}
