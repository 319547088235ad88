using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using EvoMerge.Tensors;

namespace EvoMerge.Demo.Tables;

/// <summary>
/// Scores the demo table of a finished run (<see cref="DemoTableBuilder"/> over its checkpoint's archive), with the
/// run's facts, and writes it into the run directory as <see cref="DemoTable.MarkdownFileName"/> (a header saying how
/// it was measured, then the table) and <see cref="DemoTable.JsonFileName"/>.
/// </summary>
public static class DemoTableWriter
{
    /// <summary>Scores and writes the table of the finished run of <paramref name="setup"/>.</summary>
    /// <param name="setup">The finished run (<see cref="SearchSetup.Open"/>).</param>
    /// <param name="datasetsDirectory">The skill datasets with their task YAMLs.</param>
    /// <param name="upperBound">The multitask model shown last (null: no such row).</param>
    /// <param name="limit">Score at most this many documents per task (a quick check; null: all).</param>
    /// <param name="searchSeconds">The search's wall time when it ran in this process (null: not measured here).</param>
    /// <param name="programVersion">The program's version, recorded among the facts.</param>
    /// <param name="total">Runs since the command started; its time at the end is the table's <c>total_seconds</c>.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="steps">Steps done of total (see <see cref="DemoTableBuilder"/>; null: not reported).</param>
    /// <param name="stopping">Stops the scoring (an <see cref="OperationCanceledException"/>; nothing is written).</param>
    public static WrittenDemoTable Write(SearchSetup setup, string datasetsDirectory, string? upperBound, int? limit, double? searchSeconds,
        string programVersion, Stopwatch total, Action<string> log, Action<int, int>? steps = null, CancellationToken stopping = default)
    {
        if (!Directory.Exists(datasetsDirectory)) throw new DirectoryNotFoundException($"{datasetsDirectory}: the skill datasets are not there; pass --datasets");
        var inv = CultureInfo.InvariantCulture;
        string runDirectory = setup.Config.RunDirectory;
        var files = new RunFiles(runDirectory);
        var checkpoint = JsonSerializer.Deserialize<SearchCheckpoint>(File.ReadAllText(files.Checkpoint), SearchCheckpoint.Json)
            ?? throw new InvalidDataException($"{files.Checkpoint}: empty");
        var facts = new Dictionary<string, string>
        {
            ["config"] = setup.Config.File,
            ["seed"] = setup.Config.Seed.ToString(inv),
            ["optimizer"] = setup.Config.Optimizer.OptimizerName,
            ["generations"] = checkpoint.Generation.ToString(inv),
            ["evaluations"] = checkpoint.EvaluationsScored.ToString(inv),
            ["hypervolume"] = (checkpoint.Statistics.Count > 0 ? checkpoint.Statistics[^1].Hypervolume : 0).ToString("R", inv),
            ["archive_size"] = checkpoint.Archive.Count.ToString(inv),
            ["machine"] = $"{Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription}",
            ["version"] = programVersion,
        };
        if (searchSeconds is { } seconds) facts["search_seconds"] = seconds.ToString("0.0", inv);
        var budget = setup.Config.Budget;
        var stop = budget.LimitReached(checkpoint.Generation, checkpoint.EvaluationsScored, checkpoint.ElapsedSeconds);
        facts["stopped_by"] = stop switch
        {
            BudgetLimit.Evaluations => "evaluations",
            BudgetLimit.WallClock => "wall_clock",
            BudgetLimit.Generations => "generations",
            _ => "none",
        };
        if (StopWarning(stop, budget, checkpoint) is { } warning) facts["warning"] = warning;
        log("scoring the table on the test splits...");
        var archive = checkpoint.Archive;
        var builder = new DemoTableBuilder(setup, datasetsDirectory, limit, log, steps, stopping);
        var table = builder.Build(archive, upperBound, facts);
        var withTotal = table with { Facts = new Dictionary<string, string>(table.Facts) { ["total_seconds"] = total.Elapsed.TotalSeconds.ToString("0.0", inv) } };
        string markdown = Header(withTotal) + withTotal.ToMarkdown();
        string markdownFile = Path.Combine(runDirectory, DemoTable.MarkdownFileName);
        AtomicFile.WriteAllText(markdownFile, markdown);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, DemoTable.JsonFileName), withTotal.ToJson() + "\n");
        if (archive.Count > 0) ReportedMemberRule.Record(setup.Config, archive, builder.MemberDevAverages, builder.DevAverageBasis);
        return new WrittenDemoTable(withTotal, markdown, markdownFile, Plots(runDirectory));
    }

    /// <summary>
    /// The loud warning of a search that a limit other than its evaluation budget stopped (null when the evaluation
    /// budget did): the demo's result is what its evaluation budget gives, on any machine.
    /// </summary>
    private static string? StopWarning(BudgetLimit stop, BudgetConfig budget, SearchCheckpoint checkpoint)
    {
        var inv = CultureInfo.InvariantCulture;
        string done = budget.Evaluations is { } e
            ? string.Create(inv, $"after {checkpoint.EvaluationsScored} of {e} evaluations")
            : string.Create(inv, $"after {checkpoint.EvaluationsScored} evaluations (no evaluation budget)");
        return stop switch
        {
            BudgetLimit.Evaluations => null,
            BudgetLimit.WallClock => string.Create(inv, $"WARNING: stopped by the wall-clock guard ({budget.WallClockSeconds:0.###} s) {done}; this table depends on machine speed and is not the reproducible demo result."),
            BudgetLimit.Generations => string.Create(inv, $"WARNING: stopped by the generation limit ({budget.Generations} generations) {done}; this table is not the demo's evaluation-budget result."),
            _ => $"WARNING: the search did not reach its budget ({done}); this table is not the demo result.",
        };
    }

    private static string Header(DemoTable table)
    {
        var f = table.Facts;
        return (f.TryGetValue("warning", out var warning) ? $"**{warning}**\n\n" : "")
            + $"Test-split accuracy in % (± standard error). Search: {f["optimizer"]}, seed {f["seed"]}, {f["evaluations"]} evaluations in {f["generations"]} generations, "
            + (f.TryGetValue("search_seconds", out var search) ? $"{search} s" : "search time not measured here (--table-only)")
            + $"; table {f["table_seconds"]} s; total {f["total_seconds"]} s; {f["machine"]}."
            + (f.TryGetValue("limit", out var limit) ? $" Only the first {limit} documents of each task were scored (--limit): a quick check, not the result." : "")
            + "\nRows are chosen on dev (dev average = the same six columns on the dev splits), columns are held-out test tasks; average = mean of the columns."
            + $"\nvs {table.Reference.Model} (the source with the best dev average) = the row's average minus its, ± the standard error of the per-document differences (same documents, so paired).\n\n";
    }

    /// <summary>The run directory's PNG and SVG files, relative to it, in ordinal order.</summary>
    private static List<string> Plots(string runDirectory) =>
        Directory.EnumerateFiles(runDirectory, "*.*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
            .Select(p => Path.GetRelativePath(runDirectory, p)).Order(StringComparer.Ordinal).ToList();
}
