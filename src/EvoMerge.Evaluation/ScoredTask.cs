namespace EvoMerge.Evaluation;

/// <summary>One task scored by <see cref="Evaluator.EvaluateWithLoss"/>: its result (metrics and records) and its <see cref="TaskLoss"/>.</summary>
public sealed record ScoredTask(TaskResult Result, MetricValue Loss);
