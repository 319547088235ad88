using System.Globalization;
using EvoMerge.Optimization.Pareto;
using EvoMerge.Search.Configuration;

namespace EvoMerge.Search.Runs;

/// <summary><c>evomerge export</c>'s <c>--member</c>: an archive index (as <c>--list</c> and archive.json number them) or <c>best</c> (<see cref="ReportedMemberRule"/>).</summary>
public static class ExportMemberChoice
{
    /// <summary>
    /// The archive index <paramref name="member"/> names, and how it was chosen for the export's message ("" for an
    /// index). An argument that is neither is an <see cref="ArgumentException"/> naming <c>--member</c>.
    /// </summary>
    public static (int Index, string Why) Resolve(string? member, SearchConfig config, IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> archive)
    {
        if (member is null) throw new ArgumentException("--member: required (an archive index or best; evomerge export RUN_DIR --list shows them)");
        if (int.TryParse(member, NumberStyles.None, CultureInfo.InvariantCulture, out int index)) return (index, "");
        if (member != "best") throw new ArgumentException($"--member {member}: not an archive index or best");
        var reported = ReportedMemberRule.Find(config, archive) ?? throw new ArgumentException("--member best: " + ReportedMemberRule.Unavailable(config, archive));
        return (reported.Member, string.Create(CultureInfo.InvariantCulture, $"best: highest dev average {reported.DevAverages[reported.Member]:R}, {reported.Basis}"));
    }
}
