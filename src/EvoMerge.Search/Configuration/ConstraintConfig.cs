using System.Globalization;

namespace EvoMerge.Search.Configuration;

/// <summary>A minimum score on a task metric; the violation is <c>max(0, Minimum − score)</c>.</summary>
public sealed record ConstraintConfig(string Task, string Metric, double Minimum, string ConfigPath)
{
    /// <summary>The task file's name without extension and the metric, e.g. <c>general.acc</c> (as an objective's default name).</summary>
    public string Name => $"{Path.GetFileNameWithoutExtension(Task)}.{Metric}";

    /// <summary>
    /// What failed when <paramref name="score"/> is below the minimum, e.g. <c>constraint general.acc = 0.31 &lt; minimum 0.4
    /// (constraints[0])</c>, or is NaN (never met, as the evaluator's violation for it is +∞); null when it is met.
    /// </summary>
    public string? Failure(double score) =>
        double.IsNaN(score) ? $"constraint {Name} = NaN, not a score ({ConfigPath})"
        : score < Minimum ? string.Create(CultureInfo.InvariantCulture, $"constraint {Name} = {score:G5} < minimum {Minimum:G5} ({ConfigPath})")
        : null;
}
