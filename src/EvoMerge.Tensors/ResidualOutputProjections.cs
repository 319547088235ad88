namespace EvoMerge.Tensors;

/// <summary>
/// The layer tensors whose product is added to the residual stream (a pre-norm decoder's branch outputs): attention's
/// <c>o_proj</c> and the MLP's <c>down_proj</c>, or for Mixtral each expert's <c>w2</c> (its sparse MLP has no
/// down_proj). Zeroing them makes a layer the identity; scaling them by 1/s equals scaling the layer's input by s.
/// </summary>
public static class ResidualOutputProjections
{
    private static readonly string[] DenseFilters = ["o_proj", "down_proj"];
    private static readonly string[] MixtralFilters = ["o_proj", ".w2."];

    /// <summary>mergekit tensor-name filters (substrings) that select these tensors in a model of <paramref name="modelType"/>.</summary>
    public static IReadOnlyList<string> Filters(string modelType) => modelType == "mixtral" ? MixtralFilters : DenseFilters;

    /// <summary>Whether the layer tensor <paramref name="name"/> (with or without its layer prefix) is one of them.</summary>
    public static bool Covers(string name) =>
        name.EndsWith("self_attn.o_proj.weight", StringComparison.Ordinal) || name.EndsWith("mlp.down_proj.weight", StringComparison.Ordinal)
        || (name.Contains("block_sparse_moe.experts.", StringComparison.Ordinal) && name.EndsWith(".w2.weight", StringComparison.Ordinal));
}
