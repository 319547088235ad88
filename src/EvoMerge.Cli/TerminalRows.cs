using Spectre.Console;

namespace EvoMerge.Cli;

/// <summary>
/// A live Spectre.Console progress display redrawn every 250 ms from a callback given the description width the other
/// columns leave: rows of description, bar, percentage, remaining time and spinner, then a summary text wrapped to the terminal.
/// </summary>
public static class TerminalRows
{
    /// <summary>Columns the bar, percentage, remaining time, spinner and the gaps between them take.</summary>
    public const int OtherColumns = 36;

    /// <summary>Shows <paramref name="count"/> rows and the summary read from <paramref name="read"/> until <paramref name="stopping"/> is cancelled, then once more.</summary>
    public static Task ShowAsync(IAnsiConsole console, int count, Func<int, (IReadOnlyList<(string Text, double Done, double Total)> Bars, string Summary)> read, CancellationToken stopping)
    {
        string summary = "";
        return console.Progress().AutoClear(false).UseRenderHook((bars, _) => summary.Length == 0 ? bars : new Rows(bars, new Text(summary)))
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 16 }, new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var tasks = Enumerable.Range(0, count).Select(_ => context.AddTask("starting", maxValue: 1)).ToList();
                while (true)
                {
                    var (rows, text) = read(Math.Max(10, console.Profile.Width - OtherColumns));
                    foreach (var (task, row) in tasks.Zip(rows))
                        (task.Description, task.MaxValue, task.Value) = (Markup.Escape(row.Text), Math.Max(1, row.Total), Math.Min(row.Total, row.Done));
                    summary = text;
                    if (stopping.IsCancellationRequested) break;
                    await Task.Delay(250, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
                }
                context.Refresh();
            });
    }
}
