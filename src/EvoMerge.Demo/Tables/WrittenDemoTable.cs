namespace EvoMerge.Demo.Tables;

/// <summary>A demo table as <see cref="DemoTableWriter"/> wrote it into the run directory.</summary>
/// <param name="Table">The table, its facts with <c>total_seconds</c>.</param>
/// <param name="Markdown">The text of <paramref name="MarkdownFile"/>: the header, then the table.</param>
/// <param name="MarkdownFile">Path of the Markdown file written (the JSON file, <see cref="DemoTable.JsonFileName"/>, lies beside it).</param>
/// <param name="Plots">The plot files of the run directory, relative to it, in ordinal order.</param>
public sealed record WrittenDemoTable(DemoTable Table, string Markdown, string MarkdownFile, IReadOnlyList<string> Plots);
