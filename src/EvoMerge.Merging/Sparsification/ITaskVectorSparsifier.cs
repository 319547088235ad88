using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// Drops elements of one model's task vector (δ = model − base) before weighting, as the task-arithmetic family
/// does: TIES trim, Model Breadcrumbs, DARE or DELLA. Every sparsifier returns δ untouched when density ≥ 1 (and then
/// never rescales).
/// </summary>
public interface ITaskVectorSparsifier
{
    /// <summary>Per-model parameters the sparsifier adds to weight and density (gamma, epsilon).</summary>
    IReadOnlyList<MergeParameter> Parameters { get; }

    /// <summary>True when it draws from <see cref="MergeContext.Random"/>.</summary>
    bool UsesRandomness { get; }

    /// <summary>
    /// The sparsified task vector of <paramref name="input"/> (may share storage with <paramref name="taskVector"/>
    /// when nothing is dropped). Reads density and its own parameters from the input; invalid values raise
    /// <see cref="MergeException"/> naming the tensor and model.
    /// </summary>
    torch.Tensor Sparsify(torch.Tensor taskVector, MergeInput input, bool rescale, MergeContext context);
}
