namespace EvoMerge.Evaluation;

/// <summary>The outcome of one task: its metrics and one record per scored document, in document order.</summary>
public sealed record TaskResult(
    string Name, EvalTaskKind Kind, string SourceFile, IReadOnlyList<MetricValue> Metrics, IReadOnlyList<DocumentRecord> Records, TimeSpan Elapsed)
{
    /// <summary>What the user should know about how the task was scored (e.g. prompts truncated to fit), one line each, once per task.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The metric named <paramref name="name"/>.</summary>
    public MetricValue Metric(string name) =>
        Metrics.FirstOrDefault(m => m.Name == name) ?? throw new KeyNotFoundException($"task '{Name}' has no metric '{name}' (it has {string.Join(", ", Metrics.Select(m => m.Name))})");
}
