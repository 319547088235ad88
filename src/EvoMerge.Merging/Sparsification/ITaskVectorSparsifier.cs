using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// Chooses which elements of one model's task vector (δ = model − base) survive before weighting, as the
/// task-arithmetic family does: TIES trim, Model Breadcrumbs, DARE or DELLA. The caller applies the mask and the
/// optional L1 rescale (<see cref="L1Rescale"/>). A density ≥ 1 keeps everything and then nothing is rescaled.
/// </summary>
public interface ITaskVectorSparsifier
{
    /// <summary>Per-model parameters the sparsifier adds to weight and density (gamma, epsilon).</summary>
    IReadOnlyList<MergeParameter> Parameters { get; }

    /// <summary>
    /// Densities outside (0, 1] that a recipe may give because mergekit merges them (with one warning each), or null
    /// when mergekit raises for them (the TIES trim).
    /// </summary>
    UnusualValues? UnusualDensity { get; }

    /// <summary>
    /// A source model's searched values (density and the sparsifier's own) moved into the domain the sparsifier
    /// accepts together (see <see cref="IMergeMethod.Feasible"/>); unchanged by default.
    /// </summary>
    IReadOnlyDictionary<string, double> Feasible(IReadOnlyDictionary<string, double> perModel) => perModel;

    /// <summary>True when it draws from <see cref="MergeContext.Random"/>.</summary>
    bool UsesRandomness { get; }

    /// <summary>
    /// A boolean mask of the task vector's shape (true = keep), or null to keep everything (density ≥ 1). Reads
    /// density and its own parameters from <paramref name="input"/>; invalid values raise <see cref="MergeException"/>
    /// naming the tensor and model.
    /// </summary>
    torch.Tensor? KeepMask(torch.Tensor taskVector, MergeInput input, MergeContext context);
}
