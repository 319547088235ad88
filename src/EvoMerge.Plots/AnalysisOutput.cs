using EvoMerge.Search.Analysis;
using EvoMerge.Tensors;

namespace EvoMerge.Plots;

/// <summary><c>evomerge analyze</c> from its arguments to its outputs: runs <see cref="ModelAnalysis"/>, prints the report, writes the JSON and the plots where asked.</summary>
public static class AnalysisOutput
{
    /// <summary>
    /// Analyses <paramref name="directories"/> (the base first), writes the readable report to <paramref name="write"/>,
    /// then the JSON file and the plots when given, each announced as "wrote PATH"; progress goes to <paramref name="log"/>.
    /// </summary>
    public static AnalysisReport Run(IReadOnlyList<string> directories, IReadOnlyList<string> taskFiles, string? jsonFile, string? plotDirectory,
        Action<string> write, Action<string> log)
    {
        if (directories.Count < 2) throw new ArgumentException("analyze needs a base and at least one model directory");
        var report = ModelAnalysis.Run(directories[0], [.. directories.Skip(1)], taskFiles, log);
        write(report.ToText());
        if (jsonFile is not null)
        {
            AtomicFile.WriteAllText(jsonFile, report.ToJson());
            write($"wrote {jsonFile}\n");
        }
        foreach (string plot in plotDirectory is null ? [] : AnalysisPlots.Write(report, plotDirectory)) write($"wrote {plot}\n");
        return report;
    }
}
