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

    /// <summary>A new tensor <c>x·mask</c> (mask boolean, x's shape), rescaled to x's L1 norm when asked.</summary>
    public static torch.Tensor Apply(torch.Tensor x, torch.Tensor mask, bool rescale)
    {
        using var scope = torch.NewDisposeScope();
        var result = x.clone();
        ApplyInPlace(result, mask, rescale);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Masks <paramref name="x"/> in place and rescales it to its former L1 norm when asked.</summary>
    public static void ApplyInPlace(torch.Tensor x, torch.Tensor mask, bool rescale)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        double before = rescale ? L1Norm(x) : 0.0;
        x.mul_(mask);
        if (!rescale)
            return;
        double after = L1Norm(x);
        if (before >= Epsilon && after >= Epsilon)
            x.mul_(scalars.Hold(before / after));
    }

    /// <summary>‖x‖₁ as a double (accumulated in at least float32; low-precision inputs are widened first).</summary>
    public static double L1Norm(torch.Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var wide = x.dtype is torch.ScalarType.Float32 or torch.ScalarType.Float64 ? x : x.to(torch.ScalarType.Float32);
        // Tensor.norm(float) passes p by value; linalg.vector_norm wraps ord in a temporary Scalar that the GC may
        // finalize while the reduction still reads it.
        return wide.norm(1f).ToDouble();
    }
}
