using System.Globalization;
using EvoMerge.Evaluation;

namespace EvoMerge.Host;

/// <summary>
/// What the live terminal display shows: two progress rows, each text at most a given width (what the terminal
/// leaves beside the bar, percentage and remaining time), for the activity of the generation and the whole budget;
/// and below them a summary line as wide as the terminal (wrapped between values when narrower) with the state, the
/// best value per objective, the hypervolume and the archive size.
/// </summary>
public static class LiveDisplayRows
{
    /// <summary>The rows (text, steps done, steps in all) and the summary for <paramref name="status"/> and <paramref name="activity"/>; none before the run is attached.</summary>
    public static (IReadOnlyList<(string Text, double Done, double Total)> Bars, string Summary) Of(RunStatus? status, (string Text, int Done, int Total) activity, int width)
    {
        if (status is null) return ([], "");
        var inv = CultureInfo.InvariantCulture;
        int generations = status.GenerationsBudget ?? Math.Max(1, status.Generation + 1);
        var budget = status.EvaluationsBudget is { } e
            ? (string.Create(inv, $"evaluations {status.EvaluationsDone}/{e}"), Math.Min(e, status.EvaluationsDone), e)
            : (string.Create(inv, $"generations {status.Generation}/{generations}"), Math.Min(generations, status.Generation), generations);
        return ([(TextFit.Cut(activity.Text, width), activity.Done, Math.Max(1, activity.Total)), (TextFit.Cut(budget.Item1, width), budget.Item2, budget.Item3)], Summary(status));
    }

    /// <summary><c>STATE: best NAME=VALUE … hv=HV archive=N</c>, values with 4 significant digits (<c>-</c> for none yet).</summary>
    public static string Summary(RunStatus status)
    {
        var inv = CultureInfo.InvariantCulture;
        var values = status.Best.Select(b => b.Key + "=" + (b.Value?.ToString("G4", inv) ?? "-"));
        return string.Create(inv, $"{status.State}: best {string.Join(" ", values)} hv={status.Hypervolume:G4} archive={status.ArchiveSize}");
    }
}
