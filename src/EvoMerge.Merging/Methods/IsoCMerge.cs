using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// iso_c (Iso-C, isotropic merging in the common subspace; Marczak et al., ICML 2025): per 2-D tensor, the SVD
/// <c>UΣVᵀ</c> of the summed task updates Σ_t Δ_t; every singular value is replaced by their mean σ̄ (over all
/// min(d_out, d_in) of them), so <c>ΔW = σ̄·UVᵀ</c> has a flat spectrum, and <c>B + α·ΔW</c>. See
/// <see cref="SubspaceMerge"/> for the fallback and parameters.
/// </summary>
public sealed class IsoCMerge() : SubspaceMerge("iso_c")
{
    /// <inheritdoc/>
    protected override torch.Tensor Update(MergeContext context, IReadOnlyList<torch.Tensor> deltas)
    {
        var sum = deltas.Aggregate((total, d) => total + d);
        var (u, s, vh) = torch.linalg.svd(sum, fullMatrices: false);
        return u.matmul(vh).mul(s.mean());
    }
}
