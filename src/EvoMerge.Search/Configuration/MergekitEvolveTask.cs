namespace EvoMerge.Search.Configuration;

/// <summary>
/// One entry of a mergekit-evolve config's <c>tasks</c>: an lm-evaluation-harness task name, its weight in
/// mergekit-evolve's score (Σ weight × metric, maximised) and its metric (<c>acc,none</c>: the metric and lm-eval's filter).
/// </summary>
/// <param name="Name">The lm-eval task name, looked up in the task map.</param>
/// <param name="Weight">Weight in the summed score (default 1; negative for metrics where lower is better).</param>
/// <param name="Metric">The metric as mergekit-evolve writes it (default <c>acc,none</c>).</param>
/// <param name="ConfigPath">Where it was written (e.g. <c>tasks[0]</c>), for messages.</param>
public sealed record MergekitEvolveTask(string Name, double Weight, string Metric, string ConfigPath)
{
    /// <summary>The metric name without lm-eval's filter (<c>acc,none</c> → <c>acc</c>).</summary>
    public string MetricName => Metric.Split(',')[0];

    /// <summary>lm-eval's filter after the comma (<c>none</c> when absent).</summary>
    public string Filter => Metric.Contains(',', StringComparison.Ordinal) ? Metric[(Metric.IndexOf(',', StringComparison.Ordinal) + 1)..] : "none";
}
