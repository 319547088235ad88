using System.Globalization;
using EvoMerge.Host;
using Spectre.Console;

namespace EvoMerge.Cli;

/// <summary>A live Spectre.Console display on a terminal: the current generation's candidates, the whole budget with ETA, and the best values, archive size and hypervolume (fits 80 columns).</summary>
public sealed class TerminalProgress : ILiveProgressDisplay
{
    /// <summary>True when neither stdout nor stderr is redirected.</summary>
    public bool HasTerminal => !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    public Task ShowAsync(RunProgress progress, CancellationToken stopping) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn { Width = 16 }, new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var generation = context.AddTask("generation", maxValue: 1);
                var search = context.AddTask("evaluations", maxValue: 1);
                var best = context.AddTask("best", maxValue: 1);
                while (true)
                {
                    Update(progress, generation, search, best);
                    if (stopping.IsCancellationRequested) break;
                    try
                    {
                        await Task.Delay(250, stopping);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            });

    private static void Update(RunProgress progress, ProgressTask generation, ProgressTask search, ProgressTask best)
    {
        if (progress.Snapshot() is not { } s) return;
        var inv = CultureInfo.InvariantCulture;
        var (activity, done, steps) = progress.Activity;
        generation.Description = activity;
        generation.MaxValue = Math.Max(1, steps);
        generation.Value = done;
        if (s.EvaluationsBudget is { } e)
        {
            search.Description = string.Create(inv, $"evaluations {s.EvaluationsDone}/{e}");
            search.MaxValue = e;
            search.Value = Math.Min(e, s.EvaluationsDone);
        }
        else
        {
            int total = s.GenerationsBudget ?? Math.Max(1, s.Generation + 1);
            search.Description = string.Create(inv, $"generations {s.Generation}/{total}");
            search.MaxValue = total;
            search.Value = Math.Min(total, s.Generation);
        }
        best.Description = Markup.Escape(string.Create(inv, $"{s.State}: best {string.Join(" ", s.Best.Select(b => $"{b.Key}={b.Value:G4}"))} hv={s.Hypervolume:G4} ({s.ArchiveSize})"));
        best.Value = s.State is "finished" ? 1 : 0;
    }
}
