using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// ramplus_tl: ram (mean of active task-vector entries) where model i's unique entries (active in it alone) are
/// multiplied by <c>λ_i = 1 + r·clamp(ρ_i, 0, alpha)</c>, with <c>ρ_i = #(active and shared)_i /
/// max(#(active and unique)_i, epsilon)</c> counted over the tensor. Defaults r 0.1, alpha 0.2, epsilon 1e-5 (also
/// the activity threshold). See <see cref="ActiveDeltaMean"/>.
/// </summary>
public sealed class RamPlusTlMerge : IMergeMethod
{
    /// <inheritdoc/>
    public string Name => "ramplus_tl";

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } =
    [
        MergeParameter.Number("r", ParameterScope.Global, 0.1),
        MergeParameter.Number("alpha", ParameterScope.Global, 0.2),
        MergeParameter.Number("epsilon", ParameterScope.Global, 1e-5),
    ];

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Required;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, null);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context)
    {
        double r = ParameterLookup.Global(context, "r");
        double alpha = ParameterLookup.Global(context, "alpha");
        double epsilon = ParameterLookup.Global(context, "epsilon");
        return ActiveDeltaMean.Merge(context, Name, epsilon,
            (shared, unique) => 1 + r * Math.Clamp(shared / Math.Max(unique, epsilon), 0, alpha));
    }
}
