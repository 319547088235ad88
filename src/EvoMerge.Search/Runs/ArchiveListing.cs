using System.Globalization;
using System.Text;
using EvoMerge.Optimization.Pareto;
using EvoMerge.Search.Configuration;

namespace EvoMerge.Search.Runs;

/// <summary>
/// <c>evomerge export RUN_DIR --list</c>'s table: one line per archive member (index as <c>--member</c> takes it,
/// recipe hash prefix, each objective's archived value as archive.json writes it, the dev average
/// <see cref="ReportedMemberRule"/> ranks by, feasibility, the generation it was found in) with the reported member
/// marked <c>best</c>, then a line saying how <c>best</c> was chosen.
/// </summary>
public static class ArchiveListing
{
    /// <summary>The table's text (lines end with a newline).</summary>
    public static string Format(SearchConfig config, IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> archive, ReportedMember? reported)
    {
        var inv = CultureInfo.InvariantCulture;
        var header = new List<string> { "member", "hash" };
        header.AddRange(config.Objectives.Select(o => o.Name));
        header.AddRange(["dev average", "feasible", "generation", ""]);
        var rows = new List<string[]> { header.ToArray() };
        for (int k = 0; k < archive.Count; k++)
        {
            var member = archive[k].Payload;
            var cells = new List<string> { k.ToString(inv), member.Hash[..Math.Min(12, member.Hash.Length)] };
            cells.AddRange(member.Objectives.Select(v => v.ToString("R", inv)));
            cells.Add(reported is null ? "-" : reported.DevAverages[k].ToString("R", inv));
            cells.Add(archive[k].IsFeasible ? "yes" : "no");
            cells.Add(member.Generation.ToString(inv));
            cells.Add(reported?.Member == k ? "best" : "");
            rows.Add([.. cells]);
        }
        var widths = Enumerable.Range(0, header.Count).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
            text.Append(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd()).Append('\n');
        text.Append(reported is null
            ? (archive.Count == 0 ? "no members yet\n" : "best: none (a minimised objective and no dev averages recorded by the demo table); export a member by index\n")
            : string.Create(inv, $"best: member {reported.Member}, the highest dev average among the feasible members; dev average: {reported.Basis}\n"));
        return text.ToString();
    }
}
