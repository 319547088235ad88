namespace EvoMerge.Merging;

/// <summary>A merge cannot be computed (bad parameters, shape mismatch, …); the message names the tensor.</summary>
public sealed class MergeException(string message) : Exception(message)
{
    /// <summary>Builds the message "tensor 'NAME': PROBLEM".</summary>
    public static MergeException ForTensor(string tensor, string problem) => new($"tensor '{tensor}': {problem}");
}
