using System.Text.Json.Serialization;

namespace EvoMerge.Optimization.Pareto;

/// <summary>A member of a <see cref="ParetoArchive{T}"/>: key, minimised objectives, constraint violation and payload.</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record ParetoArchiveEntry<T>(string Key, double[] Objectives, double ConstraintViolation, T Payload)
{
    /// <summary>True when the violation is zero.</summary>
    [JsonIgnore]
    public bool IsFeasible => ConstraintViolation <= 0.0;
}
