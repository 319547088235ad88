using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// multislerp: one tangent-space step of a weighted spherical mean over any number of models. With a base model the
/// task vectors (X_i − B) are used and B is added back. Each tensor is flattened; weights are normalised to sum 1
/// when <c>normalize_weights</c> (default true); unit vectors <c>u_i = x_i/(‖x_i‖ + eps)</c>; mean direction
/// <c>m = Σ w_i u_i</c> normalised (when ‖m‖ &lt; eps: with two models the result is <c>w₀x₀ + w₁x₁</c>, with more an
/// error); tangent <c>τ = Σ w_i (u_i − (u_i·m) m)</c>; result <c>(m cos‖τ‖ + τ sin‖τ‖/‖τ‖)·Σ w_i‖x_i‖</c>, ‖τ‖
/// including + eps. Computed in float32, returned in the inputs' dtype. Deviation: weights summing to 0 with
/// <c>normalize_weights</c> are an error naming the tensor.
/// </summary>
public sealed class MultislerpMerge : IMergeMethod
{
    /// <inheritdoc/>
    public string Name => "multislerp";

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } =
    [
        MergeParameter.Flag("normalize_weights", true),
        MergeParameter.Number("eps", ParameterScope.Global, 1e-8),
        MergeParameter.Number("weight", ParameterScope.PerModel, required: true),
    ];

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Optional;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, null);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        if (context.Models.Count == 0)
            throw MergeException.ForTensor(context.TensorName, "multislerp needs at least one model besides the base");
        double eps = ParameterLookup.Global(context, "eps");
        var weights = context.Models.Select(m => ParameterLookup.PerModel(context, m, "weight")).ToArray();
        if (ParameterLookup.GlobalFlag(context, "normalize_weights"))
        {
            double total = weights.Sum();
            if (Math.Abs(total) < 1e-12)
                throw MergeException.ForTensor(context.TensorName, "multislerp weights sum to 0 and normalize_weights is true");
            weights = weights.Select(w => w / total).ToArray();
        }

        var aligned = InputAlignment.ToCommonShape(context, context.AllInputs);
        var dtype = aligned[0].dtype;
        var shape = aligned[0].shape;
        var baseVector = context.Base is null ? null : aligned[0].to(torch.ScalarType.Float32).reshape(-1);
        var vectors = aligned.Skip(context.Base is null ? 0 : 1)
            .Select(a => a.to(torch.ScalarType.Float32).reshape(-1))
            .Select(v => baseVector is null ? v : v - baseVector)
            .ToArray();

        var result = SphericalMean(context, vectors, weights, eps, scalars);
        if (baseVector is not null)
            result = result.add(baseVector, ScalarConstants.One);
        return result.reshape(shape).to(dtype).MoveToOuterDisposeScope();
    }

    private static torch.Tensor SphericalMean(MergeContext context, torch.Tensor[] vectors, double[] weights, double eps, HeldScalars scalars)
    {
        var norms = vectors.Select(v => v.norm().ToDouble()).ToArray();
        var units = vectors.Select((v, i) => v / scalars.Hold(norms[i] + eps)).ToArray();

        var mean = WeightedSum(units, weights, scalars);
        double meanNorm = mean.norm().ToDouble();
        if (meanNorm < eps)
        {
            if (vectors.Length == 2)
                return WeightedSum(vectors, weights, scalars);
            throw MergeException.ForTensor(context.TensorName, "multislerp: the weighted directions cancel out (mean direction has zero norm)");
        }
        mean.div_(scalars.Hold(meanNorm));

        var tangent = torch.zeros_like(mean);
        for (int i = 0; i < units.Length; i++)
        {
            double along = torch.dot(units[i], mean).ToDouble();
            tangent.add_((units[i] - mean * scalars.Hold(along)) * scalars.Hold(weights[i]), ScalarConstants.One);
        }
        double tangentNorm = tangent.norm().ToDouble() + eps;
        var direction = (mean * scalars.Hold(Math.Cos(tangentNorm))).add(tangent * scalars.Hold(Math.Sin(tangentNorm) / tangentNorm), ScalarConstants.One);
        double scale = weights.Select((w, i) => w * norms[i]).Sum();
        return direction * scalars.Hold(scale);
    }

    private static torch.Tensor WeightedSum(torch.Tensor[] vectors, double[] weights, HeldScalars scalars)
    {
        var sum = torch.zeros_like(vectors[0]);
        for (int i = 0; i < vectors.Length; i++)
            sum.add_(vectors[i] * scalars.Hold(weights[i]), ScalarConstants.One);
        return sum;
    }
}
