namespace EvoMerge.Tensors;

/// <summary>
/// One tensor of an <see cref="ArchitectureSpec"/>: its name (relative to the layer prefix for layer tensors; "{e}"
/// stands for an expert index), its shape as dimension expressions (see <see cref="ArchitectureDimensions"/>), and an
/// optional config flag that must be true ("attention_bias") or false ("!use_parallel_residual") for it to exist.
/// </summary>
public sealed record ArchitectureTensor(string Name, IReadOnlyList<string> Shape, string? When = null)
{
    /// <summary>True when the name holds an expert index placeholder.</summary>
    public bool PerExpert => Name.Contains("{e}", StringComparison.Ordinal);

    /// <summary>True for a tensor whose rows are indexed by the vocabulary (token embeddings and LM heads).</summary>
    public bool IsVocabulary => Shape.Count == 2 && Shape[0] == "vocab";
}
