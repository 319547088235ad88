namespace EvoMerge.Evaluation;

/// <summary>A column a task reads: its name, the type it must have, and the YAML key that names it (for errors).</summary>
public sealed record ParquetColumnRequirement(string Name, ParquetColumnType Type, string NamedBy);
