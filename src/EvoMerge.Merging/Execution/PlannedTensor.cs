using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// One output tensor of a plan: its name and role, the slice and layer position (t) its parameters were resolved
/// at, the base input (null when the method takes none or the recipe gives none), the other inputs in recipe
/// order, the resolved global parameters, the shape and dtypes it is merged and written in, and for embeddings and head
/// how input rows map onto the output vocabulary.
/// </summary>
public sealed record PlannedTensor
{
    /// <summary>The output tensor name.</summary>
    public required string Name { get; init; }

    /// <summary>Embeddings, a layer tensor (with its output layer index) or head.</summary>
    public required TensorRole Role { get; init; }

    /// <summary>Index of the slice the tensor belongs to (embeddings: the first, head: the last).</summary>
    public required int Slice { get; init; }

    /// <summary>The layer position in [0, 1] gradients were evaluated at.</summary>
    public required double T { get; init; }

    /// <summary>The base model's input, when the method uses a base.</summary>
    public PlannedInput? Base { get; init; }

    /// <summary>The other inputs, in recipe order.</summary>
    public required IReadOnlyList<PlannedInput> Models { get; init; }

    /// <summary>Global parameters resolved for this tensor.</summary>
    public required ParameterValues Global { get; init; }

    /// <summary>The shape shared by all inputs and the output.</summary>
    public required long[] Shape { get; init; }

    /// <summary>The dtype inputs are cast to before merging.</summary>
    public required torch.ScalarType ComputeDType { get; init; }

    /// <summary>The dtype written.</summary>
    public required torch.ScalarType OutputDType { get; init; }

    /// <summary>How an embedding or head tensor's input rows map onto the output vocabulary (null: inputs are used as read).</summary>
    public Vocabulary.IEmbeddingRows? Rows { get; init; }

    /// <summary>Base (when present) followed by the other inputs.</summary>
    public IEnumerable<PlannedInput> Inputs => Base is null ? Models : Models.Prepend(Base);

    /// <summary>Number of inputs, base included.</summary>
    public int InputCount => Models.Count + (Base is null ? 0 : 1);

    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
