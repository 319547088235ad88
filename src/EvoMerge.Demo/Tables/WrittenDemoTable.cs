namespace EvoMerge.Demo.Tables;

/// <summary>A demo table as <see cref="DemoTableWriter"/> wrote it into the run directory.</summary>
/// <param name="Table">The table, its facts with <c>total_seconds</c>.</param>
/// <param name="Markdown">The text of <paramref name="MarkdownFile"/>: the header, then the table.</param>
/// <param name="MarkdownFile">Path of the Markdown file written (the JSON file, <see cref="DemoTable.JsonFileName"/>, lies beside it).</param>
/// <param name="Plots">The plot files of the run directory, relative to it, in ordinal order.</param>
public sealed record WrittenDemoTable(DemoTable Table, string Markdown, string MarkdownFile, IReadOnlyList<string> Plots)
{
    /// <summary>What <c>evomerge demo</c> prints once the table of <paramref name="runDirectory"/> is written: the table, the files and how to export the reported member.</summary>
    public string Report(string runDirectory) =>
        $"\n{Markdown}\n" +
        $"wrote {MarkdownFile} and {DemoTable.JsonFileName}; plots: {(Plots.Count == 0 ? "none in the run directory" : string.Join(", ", Plots))}\n" +
        $"export the reported member: evomerge export {runDirectory} --member best --out DIR (all members: --list)\n";
}
