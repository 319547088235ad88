namespace EvoMerge.Tensors;

/// <summary>A config.json problem; the message names the file and the field.</summary>
public sealed class ModelConfigException(string file, string? field, string problem)
    : Exception(field is null ? $"{file}: {problem}" : $"{file}: field '{field}' {problem}")
{
    public string File { get; } = file;
    public string? Field { get; } = field;
}
