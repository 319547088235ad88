namespace EvoMerge.Evaluation;

/// <summary>
/// One aggregated metric of a task: its value, its standard error (null when there is none, as for a single
/// document) and the number of documents it aggregates.
/// </summary>
public sealed record MetricValue(string Name, double Value, double? StandardError, int Count, bool HigherIsBetter);
