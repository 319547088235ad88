using EvoMerge.Search.Sweeps;
using EvoMerge.Tensors;

namespace EvoMerge.Plots;

/// <summary>A sweep run to its end with its plots (<see cref="SweepPlot"/>) written beside its tables: what <c>evomerge sweep</c> does.</summary>
public static class PlottedSweep
{
    /// <summary>
    /// Starts the sweep of config <paramref name="target"/>, or with <paramref name="resume"/> continues the sweep in
    /// run directory <paramref name="target"/> (see <see cref="SweepRun.Start"/> and <see cref="SweepRun.Resume"/>).
    /// </summary>
    public static SweepRun Open(string target, bool resume, Action<string> log, bool scoreCache = true) =>
        resume ? SweepRun.Resume(target, log, scoreCache) : SweepRun.Start(SweepConfigReader.ReadFile(target), log, scoreCache);

    /// <summary>
    /// Runs <paramref name="run"/> to its end (<paramref name="cancellation"/> is checked before each point), writes its
    /// tables and plots, and returns the table as Markdown.
    /// </summary>
    public static string Finish(SweepRun run, Action<string> log, CancellationToken cancellation = default)
    {
        var table = run.Run(cancellation);
        foreach (var (family, file) in new[] { (SweepPlan.GridFamily, SweepPlot.GridFileName), (SweepPlan.PathFamily, SweepPlot.PathFileName) })
            if (SweepPlot.Render(table, family) is { } png) AtomicFile.WriteAllBytes(Path.Combine(run.Setup.Config.RunDirectory, file), png);
        log($"sweep done: {Path.Combine(run.Setup.Config.RunDirectory, SweepTable.MarkdownFileName)}");
        return table.ToMarkdown();
    }
}
