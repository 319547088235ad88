namespace EvoMerge.Host;

/// <summary>The best sweep point so far in <see cref="SweepStatus"/>: its family, label and dev score.</summary>
public sealed record SweepBest(string Family, string Label, double DevScore);
