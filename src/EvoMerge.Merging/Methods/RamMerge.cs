using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// ram: per element, the base plus the mean of the task-vector entries that are active (|X_i − B| &gt; epsilon, default
/// 1e-5); an entry changed by one model alone is taken whole. See <see cref="ActiveDeltaMean"/>.
/// </summary>
public sealed class RamMerge : IMergeMethod
{
    /// <inheritdoc/>
    public string Name => "ram";

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } = [MergeParameter.Number("epsilon", ParameterScope.Global, 1e-5)];

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Required;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, null);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context) =>
        ActiveDeltaMean.Merge(context, Name, ParameterLookup.Global(context, "epsilon"), boost: null);
}
