using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// iso_c (Iso-C, isotropic merging in the common subspace; Marczak et al., ICML 2025): per 2-D tensor, the SVD
/// <c>UΣVᵀ</c> of the summed task updates Σ_t Δ_t; every singular value is replaced by their mean σ̄, so
/// <c>ΔW = σ̄·UVᵀ</c> has a flat spectrum, and <c>B + α·ΔW</c>. Numerically zero singular values (a rank-deficient
/// sum, see <see cref="SingularFactors.Significant"/>) are left out of both σ̄ and UVᵀ: their vectors are arbitrary.
/// For a full-rank sum that is the mean over all min(d_out, d_in) values. See <see cref="SubspaceMerge"/> for the
/// fallback and parameters.
/// </summary>
public sealed class IsoCMerge() : SubspaceMerge("iso_c")
{
    /// <inheritdoc/>
    /// <remarks>ΔW depends on the sources alone (alpha is applied after), so a search computes it once per tensor.</remarks>
    protected override torch.Tensor Update(MergeContext context, IReadOnlyList<torch.Tensor> deltas) =>
        Cached(context, "delta-w", () => [Of(deltas)])[0];

    private static torch.Tensor Of(IReadOnlyList<torch.Tensor> deltas)
    {
        var sum = deltas.Aggregate((total, d) => total.add(d, ScalarConstants.One));
        var (u, s, vh) = SingularFactors.Svd(sum);
        var kept = SingularFactors.Significant(s, sum);
        if (kept.sum().ToDouble() == 0.0) return torch.zeros_like(sum);
        return u.mul(kept.unsqueeze(0)).matmul(vh).mul(s.mul(kept).sum().div(kept.sum()));
    }
}
