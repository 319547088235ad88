namespace EvoMerge.Evaluation;

/// <summary>The outcome of evaluating one model on several tasks, in the order the tasks were given.</summary>
public sealed record EvalResult(IReadOnlyList<TaskResult> Tasks)
{
    /// <summary>The result of the task named <paramref name="name"/>.</summary>
    public TaskResult Task(string name) =>
        Tasks.FirstOrDefault(t => t.Name == name) ?? throw new KeyNotFoundException($"no task '{name}' (tasks: {string.Join(", ", Tasks.Select(t => t.Name))})");
}
