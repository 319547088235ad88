using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// nuslerp: slerp between exactly two models with <c>t = w₂ / (w₁ + w₂)</c> from their weights (0.5 when
/// |w₁ + w₂| &lt; 1e-6). With a base model (a third model) it slerps the task vectors: <c>B + nuslerp(t, X₁ − B,
/// X₂ − B)</c>. With <c>nuslerp_flatten</c> (default true) the whole tensor is one vector; otherwise vectors run
/// along the last dimension, or along the first with <c>nuslerp_row_wise</c> (mergekit's naming). Vectors are
/// normalised with <c>x / max(‖x‖, 1e-7)</c>, <c>θ = acos(clamp(cos, −1, 1))</c>, and where |sin θ| &lt; 1e-8 the
/// result is the lerp; there is no 0.9995 threshold. Computed in float32 and returned in the inputs' dtype (mergekit
/// computes in the working dtype: identical for float32, more precise for bf16/fp16).
/// </summary>
public sealed class NuslerpMerge : IMergeMethod
{
    /// <inheritdoc/>
    public string Name => "nuslerp";

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } =
    [
        MergeParameter.Flag("nuslerp_row_wise", false),
        MergeParameter.Flag("nuslerp_flatten", true),
        MergeParameter.Number("weight", ParameterScope.PerModel, required: true),
    ];

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Optional;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (2, 2);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        if (context.Models.Count != 2)
            throw MergeException.ForTensor(context.TensorName, $"nuslerp takes exactly two models besides the base, got {context.Models.Count}");
        double w1 = ParameterLookup.PerModel(context, context.Models[0], "weight");
        double w2 = ParameterLookup.PerModel(context, context.Models[1], "weight");
        double t = Math.Abs(w1 + w2) < 1e-6 ? 0.5 : w2 / (w1 + w2);
        bool rowWise = ParameterLookup.GlobalFlag(context, "nuslerp_row_wise");
        bool flatten = ParameterLookup.GlobalFlag(context, "nuslerp_flatten");

        var aligned = InputAlignment.ToCommonShape(context, context.AllInputs);
        var dtype = aligned[0].dtype;
        var f = aligned.Select(a => a.to(torch.ScalarType.Float32)).ToArray();
        var result = context.Base is null
            ? Interpolate(t, f[0], f[1], rowWise, flatten)
            : f[0].add(Interpolate(t, f[1] - f[0], f[2] - f[0], rowWise, flatten), ScalarConstants.One);
        return result.to(dtype).MoveToOuterDisposeScope();
    }

    /// <summary>Slerp of two same-shaped tensors per vector (see the class summary), in their dtype.</summary>
    public static torch.Tensor Interpolate(double t, torch.Tensor v0, torch.Tensor v1, bool rowWise, bool flatten)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var shape = v0.shape;
        bool asOneVector = flatten || v0.dim() < 2;
        bool transposed = !asOneVector && rowWise;
        var a = asOneVector ? v0.reshape(-1) : transposed ? v0.transpose(0, -1) : v0;
        var b = asOneVector ? v1.reshape(-1) : transposed ? v1.transpose(0, -1) : v1;

        var cos = (Unit(a, scalars) * Unit(b, scalars)).sum(-1, keepdim: true).clamp(scalars.Hold(-1.0), scalars.Hold(1.0));
        var theta = cos.acos();
        var sinTheta = theta.sin();
        var s = scalars.Hold(1 - t);
        var u = scalars.Hold(t);
        var slerp = (torch.sin(theta * s) * a).add(torch.sin(theta * u) * b, ScalarConstants.One) / sinTheta;
        var lerp = (a * s).add(b * u, ScalarConstants.One);
        var result = torch.where(sinTheta.abs().lt(scalars.Hold(1e-8)), lerp, slerp);
        if (transposed)
            result = result.transpose(0, -1);
        return result.reshape(shape).MoveToOuterDisposeScope();
    }

    private static torch.Tensor Unit(torch.Tensor x, HeldScalars scalars) => x / x.norm(-1, keepdim: true).clamp_min(scalars.Hold(1e-7));
}
