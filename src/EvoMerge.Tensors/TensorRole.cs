namespace EvoMerge.Tensors;

/// <summary>Where a tensor sits in a decoder: before the layers, inside layer i, or after the layers.</summary>
public enum TensorGroup
{
    /// <summary>Embeddings (mergekit's pre_weights).</summary>
    Embedding,
    /// <summary>A transformer layer's tensor (mergekit's layer_templates).</summary>
    Layer,
    /// <summary>Final norm and LM head (mergekit's post_weights).</summary>
    Head,
}

/// <summary>The role of one tensor: its group, its layer index for layer tensors, and its name inside the layer.</summary>
public readonly record struct TensorRole(TensorGroup Group, int Layer, string LocalName)
{
    /// <summary>True for token embeddings and LM heads (rows indexed by vocabulary); by default the Llama names.</summary>
    public bool IsEmbedding { get; init; } = LocalName is "model.embed_tokens.weight" or "lm_head.weight";

    /// <summary>For a layer tensor, the index of its <see cref="DecoderLayout.Modules"/> entry (0 but for inferred multimodal layouts).</summary>
    public int Module { get; init; }
}
