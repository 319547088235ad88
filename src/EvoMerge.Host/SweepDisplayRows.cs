using System.Globalization;
using EvoMerge.Evaluation;

namespace EvoMerge.Host;

/// <summary>
/// What a live terminal display shows for a sweep: one progress row (points done of the total and the point being
/// evaluated, at most a given width) and a summary line with the state and the best point so far.
/// </summary>
public static class SweepDisplayRows
{
    /// <summary>The row (text, points done, points in all) and the summary for <paramref name="status"/>; none before the sweep is open.</summary>
    public static (IReadOnlyList<(string Text, double Done, double Total)> Bars, string Summary) Of(SweepStatus? status, int width)
    {
        if (status is null) return ([], "");
        var inv = CultureInfo.InvariantCulture;
        string text = string.Create(inv, $"points {status.PointsDone}/{status.PointsTotal}") + (status.CurrentPoint is { } current ? ": " + current : "");
        string best = status.Best is { } b ? string.Create(inv, $"{b.Family} {b.Label} dev {b.DevScore:G4}") : "-";
        return ([(TextFit.Cut(text, width), status.PointsDone, Math.Max(1, status.PointsTotal))], $"{status.State}: best {best}");
    }
}
