using System.Globalization;

namespace EvoMerge.Evaluation;

/// <summary>An <see cref="EvalResult"/> as an aligned text table (what <c>evomerge eval</c> prints).</summary>
public static class EvalResultTable
{
    private static readonly string[] Header = ["task", "metric", "value", "stderr", "n"];

    /// <summary>One row per task and metric: task, metric, value, stderr, n; then a <c>warning:</c> line per task warning.</summary>
    public static string Format(EvalResult result)
    {
        var rows = new List<string[]> { Header };
        foreach (var task in result.Tasks)
            foreach (var metric in task.Metrics)
                rows.Add([task.Name, metric.Name, Number(metric.Value), metric.StandardError is double e ? Number(e) : "-", metric.Count.ToString(CultureInfo.InvariantCulture)]);
        int[] widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        foreach (var row in rows)
            writer.WriteLine($"{row[0].PadRight(widths[0])}  {row[1].PadRight(widths[1])}  {row[2].PadLeft(widths[2])}  {row[3].PadLeft(widths[3])}  {row[4].PadLeft(widths[4])}");
        foreach (string warning in result.Tasks.SelectMany(t => t.Warnings)) writer.WriteLine($"warning: {warning}");
        return writer.ToString();
    }

    private static string Number(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
