using TorchSharp;

namespace EvoMerge.Merging;

/// <summary>
/// A merge method: takes the input tensors for one output tensor and returns the merged tensor. Methods know
/// nothing of files, recipes or genomes, so the search can call them on in-memory task vectors.
/// </summary>
public interface IMergeMethod
{
    /// <summary>The recipe name (<c>merge_method:</c>), e.g. "ties".</summary>
    string Name { get; }

    /// <summary>Declared parameters with scope, defaults and whether they are required.</summary>
    IReadOnlyList<MergeParameter> Parameters { get; }

    /// <summary>How the method treats <c>base_model</c>.</summary>
    BaseModelRule BaseModel { get; }

    /// <summary>Smallest and largest number of non-base models the method accepts (null = no upper bound).</summary>
    (int Min, int? Max) ModelCount { get; }

    /// <summary>True when the method draws random numbers (then <see cref="MergeContext.Random"/> is set).</summary>
    bool UsesRandomness { get; }

    /// <summary>How a search offers this method (null: recipes only). Its genes are the parameters with a <see cref="MergeParameter.Gene"/>.</summary>
    MethodSearchSupport? Search => null;

    /// <summary>
    /// True when the method selects task-vector elements by magnitude rank and accepts a precomputed
    /// <see cref="MergeInput.Magnitudes"/> order (same result, no selection pass), so an in-memory caller may sort once.
    /// </summary>
    bool TakesMagnitudeOrder => false;

    /// <summary>
    /// One source model's decoded search values (its per-model genes: weight, density, the sparsifier's own) moved into
    /// the domain the method accepts together, where one gene's range depends on another's value (della's epsilon on
    /// the density); the values unchanged otherwise.
    /// </summary>
    IReadOnlyDictionary<string, double> Feasible(IReadOnlyDictionary<string, double> perModel) => perModel;

    /// <summary>True when the method needs proxy activations (<c>proxy_tasks</c>) for every merged model.</summary>
    bool NeedsProxyActivations => false;

    /// <summary>
    /// Merges one tensor. The result has the base's (or first model's) shape and the compute dtype; it must not
    /// alias any input. Invalid parameter values raise <see cref="MergeException"/> naming the tensor.
    /// </summary>
    torch.Tensor Merge(MergeContext context);
}
