using TorchSharp;

namespace EvoMerge.Merging;

/// <summary>
/// Everything a merge method sees for one output tensor: the tensor's name, the base model's tensor (when the
/// recipe has one), the other models' tensors in recipe order, resolved parameters, and a random generator seeded
/// for this tensor alone (so results do not depend on the order tensors are visited).
/// </summary>
public sealed class MergeContext
{
    /// <summary>The output tensor's name (e.g. <c>model.layers.3.mlp.up_proj.weight</c>).</summary>
    public required string TensorName { get; init; }

    /// <summary>True for embed_tokens / lm_head (vocabulary-indexed rows).</summary>
    public bool IsEmbedding { get; init; }

    /// <summary>The base model's input, or null when the recipe has no base model.</summary>
    public MergeInput? Base { get; init; }

    /// <summary>The non-base inputs, in recipe order.</summary>
    public required IReadOnlyList<MergeInput> Models { get; init; }

    /// <summary>The base model's input first (when there is one), then <see cref="Models"/>: the inputs of methods that
    /// treat the base as just another model (linear, karcher, passthrough).</summary>
    public IReadOnlyList<MergeInput> AllInputs => Base is null ? Models : [Base, .. Models];

    /// <summary>Global parameters resolved for this tensor (defaults applied).</summary>
    public required ParameterValues Global { get; init; }

    /// <summary>Random generator for methods that draw (DARE, DELLA); seeded from the run seed and the tensor name.</summary>
    public torch.Generator? Random { get; init; }

    /// <summary>
    /// Optional: a contiguous tensor of the output's shape in the compute dtype, never one of the inputs, that a method
    /// may write its result into and return instead of allocating one (the streaming executor passes a reused buffer,
    /// the search the candidate model's own tensor). Methods may ignore it; callers must accept either.
    /// </summary>
    public torch.Tensor? Destination { get; init; }

    /// <summary>
    /// Proxy input statistics of a non-base input's task for this tensor (see <see cref="IProxyActivations"/>), for
    /// data-aware methods (esm); null when the caller has no proxy activations. The function returns null when the
    /// tensor is not a linear layer's weight.
    /// </summary>
    public Func<MergeInput, torch.Tensor?>? ProxyInputs { get; init; }

    /// <summary>
    /// Per-tensor statistics of the whole merge, for methods that scale a tensor relative to the other layers
    /// (<see cref="IInterLayerMergeMethod"/>); null when the caller ran no pre-pass (a single tensor merged through the API).
    /// </summary>
    public LayerStatistics? LayerStatistics { get; init; }

    /// <summary>
    /// The search's cache of intermediates that depend only on the sources (the subspace methods' decompositions), kept
    /// between candidates; null computes everything (results are identical either way).
    /// </summary>
    public MergeFactorCache? Factors { get; init; }

    /// <summary>The base model's input; a <see cref="MergeException"/> naming the tensor when the recipe has none.</summary>
    public MergeInput RequireBase(string method) =>
        Base ?? throw MergeException.ForTensor(TensorName, $"{method} needs a base_model");

    /// <summary>
    /// The base model's input and the single other model's input, for methods that interpolate between exactly two
    /// models; a <see cref="MergeException"/> naming the tensor otherwise.
    /// </summary>
    public (MergeInput Base, MergeInput Other) RequireBaseAndOneModel(string method)
    {
        var baseInput = RequireBase(method);
        if (Models.Count != 1)
            throw MergeException.ForTensor(TensorName, $"{method} takes the base_model and exactly one other model, got {Models.Count} others");
        return (baseInput, Models[0]);
    }
}
