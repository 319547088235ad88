using System.Globalization;

namespace EvoMerge.Search.Runs;

/// <summary>
/// <c>evomerge export --verify</c>: the exported model re-scored on the run's objectives and compared with the
/// archived values (equal, or within 1e-9 relative); one line per objective.
/// </summary>
public static class ExportVerification
{
    /// <summary>Re-scores <paramref name="modelDirectory"/>; the lines to print and whether every objective matched.</summary>
    public static (IReadOnlyList<string> Lines, bool Same) Compare(SearchSetup setup, ArchiveMember chosen, string modelDirectory)
    {
        var rescored = ModelExporter.Rescore(setup, modelDirectory);
        var lines = new List<string>();
        bool same = true;
        for (int j = 0; j < rescored.Length; j++)
        {
            double archived = chosen.Objectives[j];
            bool equal = rescored[j] == archived || Math.Abs(rescored[j] - archived) <= 1e-9 * Math.Max(1, Math.Abs(archived));
            same &= equal;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{setup.Config.Objectives[j].Name}: archived {archived:R}, exported model {rescored[j]:R} {(equal ? "(same)" : "(DIFFERENT)")}"));
        }
        return (lines, same);
    }
}
