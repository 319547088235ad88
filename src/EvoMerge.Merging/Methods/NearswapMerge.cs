using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// nearswap: takes the other model's value where it is close to the base. Per element
/// <c>w = clamp(t / max(|B − X|, 1e-6), 0, 1)</c> and <c>out = w·X + (1 − w)·B</c>: differences up to t are taken
/// whole, larger ones in proportion t/|diff|. Computed in the inputs' dtype.
/// </summary>
public sealed class NearswapMerge : IMergeMethod
{
    /// <inheritdoc/>
    public string Name => "nearswap";

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } = [MergeParameter.Number("t", ParameterScope.Global, required: true)];

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Required;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, 1);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var (baseInput, other) = context.RequireBaseAndOneModel("nearswap");
        double t = ParameterLookup.Global(context, "t");
        var aligned = InputAlignment.ToCommonShape(context, [baseInput, other]);
        var b = aligned[0];
        var x = aligned[1];
        var weight = (scalars.Hold(t) / (b - x).abs().clamp_min(scalars.Hold(1e-6))).clamp(scalars.Hold(0.0), scalars.Hold(1.0));
        return (weight * x).add((-weight).add(scalars.Hold(1.0), ScalarConstants.One) * b, ScalarConstants.One).MoveToOuterDisposeScope();
    }
}
