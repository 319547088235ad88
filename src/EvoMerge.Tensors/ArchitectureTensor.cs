namespace EvoMerge.Tensors;

/// <summary>
/// One tensor of an <see cref="ArchitectureSpec"/>: its name (relative to the layer prefix for layer tensors; "{e}"
/// stands for an expert index, "{head}" and "{kv_head}" for an attention or key/value head index), its shape as dimension expressions (see <see cref="ArchitectureDimensions"/>), and an
/// optional config flag that must be true ("attention_bias") or false ("!use_parallel_residual") for it to exist.
/// </summary>
public sealed record ArchitectureTensor(string Name, IReadOnlyList<string> Shape, string? When = null)
{
    /// <summary>True when the name holds an expert index placeholder.</summary>
    public bool PerExpert => Name.Contains("{e}", StringComparison.Ordinal);

    /// <summary>
    /// The index placeholder of a tensor repeated per expert or per head and the dimension expression counting its
    /// copies (<c>("{e}", "experts")</c>, <c>("{head}", "heads")</c>, <c>("{kv_head}", "kv_heads")</c>), or null.
    /// </summary>
    public (string Placeholder, string Count)? Repeat =>
        PerExpert ? ("{e}", "experts")
        : Name.Contains("{head}", StringComparison.Ordinal) ? ("{head}", "heads")
        : Name.Contains("{kv_head}", StringComparison.Ordinal) ? ("{kv_head}", "kv_heads")
        : null;

    /// <summary>True for a tensor whose rows are indexed by the vocabulary (token embeddings and LM heads).</summary>
    public bool IsVocabulary => Shape.Count == 2 && Shape[0] == "vocab";
}
