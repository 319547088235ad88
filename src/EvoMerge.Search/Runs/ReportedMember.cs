namespace EvoMerge.Search.Runs;

/// <summary>The member <see cref="ReportedMemberRule"/> picks, every member's dev average it compared, and what those average.</summary>
public sealed record ReportedMember(int Member, IReadOnlyList<double> DevAverages, string Basis);
