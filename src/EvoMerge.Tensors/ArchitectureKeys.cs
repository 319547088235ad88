namespace EvoMerge.Tensors;

/// <summary>
/// The config.json field names a family uses for its sizes (GPT-2 writes <c>n_layer</c>, <c>n_embd</c>, ...);
/// <see cref="IntermediateFactor"/> gives the MLP width as a multiple of the hidden size when the field is absent.
/// </summary>
public sealed record ArchitectureKeys(
    string Layers = "num_hidden_layers",
    string Hidden = "hidden_size",
    string Heads = "num_attention_heads",
    string Intermediate = "intermediate_size",
    string Positions = "max_position_embeddings",
    int? IntermediateFactor = null)
{
    /// <summary>The Llama-style field names most families use.</summary>
    public static readonly ArchitectureKeys Standard = new();
}
