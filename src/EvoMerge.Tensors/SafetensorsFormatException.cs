namespace EvoMerge.Tensors;

/// <summary>A safetensors file or index is malformed; the message names the file and, where known, the tensor.</summary>
public sealed class SafetensorsFormatException : Exception
{
    public SafetensorsFormatException(string file, string? tensor, string problem)
        : base(tensor is null ? $"{file}: {problem}" : $"{file}: tensor '{tensor}': {problem}")
    {
        File = file;
        Tensor = tensor;
    }

    /// <summary>The file at fault.</summary>
    public string File { get; }

    /// <summary>The tensor at fault, when the problem belongs to one.</summary>
    public string? Tensor { get; }
}
