using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// slerp: spherical interpolation between the base (t = 0) and the one other model (t = 1), one angle for the whole
/// tensor, computed in float32 and returned in the base's dtype. Each tensor is normalised by its Frobenius norm
/// (skipped when the norm ≤ 1e-8); when |cos θ| &gt; 0.9995 (near-parallel or anti-parallel) the result is the
/// lerp of the original tensors; otherwise <c>sin((1−t)θ)/sin θ · v0 + sin(tθ)/sin θ · v1</c> on the unnormalised
/// tensors, so norms are interpolated too. As in mergekit, an all-zero tensor is not normalised, which gives
/// θ = π/2 and <c>sin(tπ/2)·v1</c> rather than a lerp. A <c>t</c> outside [0, 1] extrapolates by the same formula,
/// as mergekit's does (a recipe warns).
/// </summary>
public sealed class SlerpMerge : IMergeMethod
{
    /// <summary>Above this |cos θ| the inputs count as colinear and are lerped.</summary>
    public const double DotThreshold = 0.9995;

    /// <summary>Norms at or below this are not normalised.</summary>
    public const double Epsilon = 1e-8;

    /// <inheritdoc/>
    public string Name => "slerp";

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } = 
    [
        MergeParameter.Number("t", ParameterScope.Global, required: true).Within(ParameterDomain.UnitInterval)
            .AcceptingUnusual(new(ParameterDomain.Any,
                "slerp extrapolates past the base (t = 0), away from the other model", "slerp extrapolates past the other model (t = 1), away from the base"))
            .Searched(new SearchGene(0.0, 1.0, "slerp's interpolation factor from the first source (0) to the second (1)")),
    ];

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Required;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, 1);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <summary>Exactly two sources, the first standing as the base.</summary>
    public MethodSearchSupport Search { get; } = new(SearchInputs.FirstSourceAsBase, MinSources: 2, MaxSources: 2);

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        var (baseInput, other) = context.RequireBaseAndOneModel("slerp");
        double t = ParameterLookup.Global(context, "t");
        var aligned = InputAlignment.ToCommonShape(context, [baseInput, other]);
        return Interpolate(aligned[0], aligned[1], t).to(baseInput.Tensor.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The slerp of two same-shaped tensors in float32 (see the class summary).</summary>
    public static torch.Tensor Interpolate(torch.Tensor v0, torch.Tensor v1, double t)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var a = v0.to(torch.ScalarType.Float32).reshape(-1);
        var b = v1.to(torch.ScalarType.Float32).reshape(-1);
        double normA = a.norm().item<float>();
        double normB = b.norm().item<float>();
        double dot = torch.dot(a, b).item<float>()
            / (normA > Epsilon ? normA : 1.0)
            / (normB > Epsilon ? normB : 1.0);

        torch.Tensor result;
        if (Math.Abs(dot) > DotThreshold)
        {
            result = (a * scalars.Hold(1 - t)).add(b * scalars.Hold(t), ScalarConstants.One);
        }
        else
        {
            double theta = Math.Acos(dot);
            double sinTheta = Math.Sin(theta);
            result = (a * scalars.Hold(Math.Sin((1 - t) * theta) / sinTheta)).add(b * scalars.Hold(Math.Sin(t * theta) / sinTheta), ScalarConstants.One);
        }
        return result.view(v0.shape).MoveToOuterDisposeScope();
    }
}
