namespace EvoMerge.Search.Configuration;

/// <summary>A minimum score on a task metric; the violation is <c>max(0, Minimum − score)</c>.</summary>
public sealed record ConstraintConfig(string Task, string Metric, double Minimum, string ConfigPath);
