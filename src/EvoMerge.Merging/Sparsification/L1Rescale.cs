using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// Applies a keep-mask and, when asked, restores the L1 norm (mergekit's <c>rescaled_masked_tensor</c> with the L1
/// norm, the only rescale its methods use): <c>y = x·mask</c>, then <c>y·‖x‖₁/‖y‖₁</c>. When either norm is below
/// 1e-7 the masked tensor is returned unscaled. This is not the DARE paper's <c>1/p</c>: the output's L1 norm equals
/// the input's exactly.
/// </summary>
public static class L1Rescale
{
    /// <summary>Norms below this are not rescaled.</summary>
    public const double Epsilon = 1e-7;

    /// <summary><c>x·mask</c> (mask boolean, x's shape), rescaled to x's L1 norm when <paramref name="rescale"/>.</summary>
    public static torch.Tensor Apply(torch.Tensor x, torch.Tensor mask, bool rescale)
    {
        using var scope = torch.NewDisposeScope();
        var kept = torch.where(mask, x, torch.tensor(0.0, x.dtype));
        if (rescale)
        {
            double before = L1Norm(x);
            double after = L1Norm(kept);
            if (before >= Epsilon && after >= Epsilon)
                kept.mul_(before / after);
        }
        return kept.MoveToOuterDisposeScope();
    }

    /// <summary>‖x‖₁ accumulated in float64.</summary>
    public static double L1Norm(torch.Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return x.abs().sum(type: torch.ScalarType.Float64).item<double>();
    }
}
