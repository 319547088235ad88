namespace EvoMerge.Inference.Tokenization;

/// <summary>A tokenizer file that cannot be used; the message names the file and, where there is one, the field.</summary>
public sealed class TokenizerFormatException(string file, string? field, string problem)
    : Exception(field is null ? $"{file}: {problem}" : $"{file}: {field} {problem}")
{
    /// <summary>The file at fault.</summary>
    public string File { get; } = file;

    /// <summary>The JSON path of the field at fault (for example <c>model.type</c>), or null for the whole file.</summary>
    public string? Field { get; } = field;
}
