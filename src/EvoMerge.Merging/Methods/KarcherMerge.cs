using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// karcher: the Riemannian (Karcher) mean of the inputs' directions on the sphere, scaled by their mean norm. All
/// inputs (the base, when given, is just another one) get weight 1/N. Tensors with norm ≤ <c>tol</c> do not
/// contribute a direction (the others' weights are renormalised) but do count in the norm. Starting from the
/// normalised weighted mean of the unit vectors (the first unit vector if that mean has norm &lt; tol), up to
/// <c>max_iter</c> steps of <c>T = Σ a_i (θ_i/sin θ_i)(u_i − cos θ_i·u)</c> (skipping θ_i &lt; tol) and
/// <c>u ← cos‖T‖·u + sin‖T‖·T/‖T‖</c>, stopping when ‖T‖ &lt; tol. Output <c>(Σ α_i n_i)·u</c>. Computed in float32
/// (mergekit takes the dot products in the working dtype; identical for float32) and returned in the inputs' dtype.
/// When every input has norm ≤ tol the result is zeros.
/// </summary>
public sealed class KarcherMerge : IMergeMethod
{
    /// <inheritdoc/>
    public string Name => "karcher";

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } =
    [
        MergeParameter.Number("max_iter", ParameterScope.Global, 10),
        MergeParameter.Number("tol", ParameterScope.Global, 1e-5),
    ];

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Ignored;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, null);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var inputs = context.AllInputs;
        if (inputs.Count == 0)
            throw MergeException.ForTensor(context.TensorName, "karcher needs at least one model");
        double maxIterations = ParameterLookup.Global(context, "max_iter");
        double tolerance = ParameterLookup.Global(context, "tol");
        if (!(maxIterations >= 0) || maxIterations != Math.Floor(maxIterations))
            throw MergeException.ForTensor(context.TensorName, $"karcher max_iter {maxIterations} must be a whole number ≥ 0");
        if (!(tolerance >= 0))
            throw MergeException.ForTensor(context.TensorName, $"karcher tol {tolerance} must be ≥ 0");

        var aligned = InputAlignment.ToCommonShape(context, inputs);
        var vectors = aligned.Select(a => a.to(torch.ScalarType.Float32).reshape(-1)).ToArray();
        double alpha = 1.0 / vectors.Length;
        var norms = vectors.Select(v => v.norm().ToDouble()).ToArray();
        var valid = Enumerable.Range(0, vectors.Length).Where(i => norms[i] > tolerance).ToArray();
        if (valid.Length == 0)
            return torch.zeros_like(aligned[0]).MoveToOuterDisposeScope();

        double share = 1.0 / valid.Length;
        var units = valid.Select(i => vectors[i].div(scalars.Hold(norms[i]))).ToArray();
        var mean = torch.zeros_like(units[0]);
        foreach (var unit in units)
            mean.add_(unit * scalars.Hold(share), ScalarConstants.One);
        double meanNorm = mean.norm().ToDouble();
        var u = meanNorm < tolerance ? units[0].clone() : mean.div_(scalars.Hold(meanNorm));

        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            var tangent = torch.zeros_like(u);
            foreach (var unit in units)
            {
                double cos = Math.Clamp(torch.dot(u, unit).ToDouble(), -1.0, 1.0);
                double theta = Math.Acos(cos);
                if (theta < tolerance)
                    continue;
                tangent.add_((unit - u * scalars.Hold(cos)) * scalars.Hold(share * theta / Math.Sin(theta)), ScalarConstants.One);
            }
            double tangentNorm = tangent.norm().ToDouble();
            if (tangentNorm < tolerance)
                break;
            u = (u * scalars.Hold(Math.Cos(tangentNorm))).add(tangent * scalars.Hold(Math.Sin(tangentNorm) / tangentNorm), ScalarConstants.One);
            u.div_(scalars.Hold(u.norm().ToDouble()));
        }

        double scale = norms.Sum() * alpha;
        return (u * scalars.Hold(scale)).reshape(aligned[0].shape).to(aligned[0].dtype).MoveToOuterDisposeScope();
    }
}
