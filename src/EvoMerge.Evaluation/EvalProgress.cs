using System.Globalization;

namespace EvoMerge.Evaluation;

/// <summary>Where the evaluation of one task stands: documents scored of its total, and the time it has taken so far.</summary>
public readonly record struct EvalProgress(string Task, int Done, int Total, TimeSpan Elapsed)
{
    /// <summary>Seconds left at the pace so far (0 when done), null before the first document is scored.</summary>
    public double? EtaSeconds => ProgressEta.Seconds(Done, Total, Elapsed.TotalSeconds);

    /// <summary>The log line: <c>eval: TASK 120/400 documents, 35 s elapsed, ETA 82 s</c> (no ETA before the first document).</summary>
    public string LogLine()
    {
        var inv = CultureInfo.InvariantCulture;
        string line = string.Create(inv, $"eval: {Task} {Done}/{Total} documents, {Elapsed.TotalSeconds:F0} s elapsed");
        return EtaSeconds is { } eta ? line + string.Create(inv, $", ETA {eta:F0} s") : line;
    }

    /// <summary>The progress bar's description, at most <paramref name="width"/> characters: <c>TASK 120/400 documents</c>, the task name shortened first.</summary>
    public string Description(int width)
    {
        string counts = string.Create(CultureInfo.InvariantCulture, $" {Done}/{Total} documents");
        int room = width - counts.Length;
        return room < 2 ? TextFit.Cut(counts.Trim(), width) : TextFit.Cut(Task, room) + counts;
    }
}
