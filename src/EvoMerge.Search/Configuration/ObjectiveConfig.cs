namespace EvoMerge.Search.Configuration;

/// <summary>One objective: a task file's metric, its direction, its scalarisation weight and optional hypervolume reference.</summary>
/// <param name="Name">Name in reports and column names.</param>
/// <param name="Task">Full path of the task YAML.</param>
/// <param name="Metric">Metric name.</param>
/// <param name="Maximize">True when larger is better (without <c>direction</c> in the config, set from the task's metric when the tasks are opened).</param>
/// <param name="Weight">Scalarisation weight (CMA-ES).</param>
/// <param name="Reference">Hypervolume reference in the objective's own direction, when given.</param>
/// <param name="ConfigPath">Where it was written (e.g. <c>objectives[0]</c>), for messages.</param>
/// <param name="DirectionGiven">True when the config wrote <c>direction</c>.</param>
public sealed record ObjectiveConfig(string Name, string Task, string Metric, bool Maximize, double Weight, double? Reference, string ConfigPath, bool DirectionGiven = true)
{
    /// <summary>The value as the optimizers see it (minimised): negated when maximised.</summary>
    public double ToMinimized(double value) => Maximize ? -value : value;

    /// <summary>The inverse of <see cref="ToMinimized"/>.</summary>
    public double FromMinimized(double value) => Maximize ? -value : value;
}
