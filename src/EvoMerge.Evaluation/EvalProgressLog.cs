namespace EvoMerge.Evaluation;

/// <summary>
/// Evaluation progress as log lines (see <see cref="EvalProgress.LogLine"/>) for output that is not a terminal: one
/// when a task's last document is scored, and one whenever <paramref name="interval"/> of the task's time has passed
/// since its last line.
/// </summary>
public sealed class EvalProgressLog(Action<string> write, TimeSpan interval) : IProgress<EvalProgress>
{
    private string? _task;
    private TimeSpan _lastLine;

    public void Report(EvalProgress value)
    {
        if (value.Task != _task) (_task, _lastLine) = (value.Task, TimeSpan.Zero);
        if (value.Done < value.Total && value.Elapsed - _lastLine < interval) return;
        _lastLine = value.Elapsed;
        write(value.LogLine());
    }
}
