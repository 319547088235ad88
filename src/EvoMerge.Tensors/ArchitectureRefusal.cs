namespace EvoMerge.Tensors;

/// <summary>
/// A config field whose value the family's data does not describe: the field is absent or equals
/// <see cref="AllowedJson"/> (compact JSON, e.g. "1", "[]", "false"), else the model is refused with <see cref="Problem"/>.
/// </summary>
public sealed record ArchitectureRefusal(string Field, string AllowedJson, string Problem);
