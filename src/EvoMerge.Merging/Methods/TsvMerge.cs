using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// tsv (TSV-M, Task Singular Vectors merging; Gargiulo et al., CVPR 2025): per 2-D tensor, each task update's
/// truncated SVD to rank k = ⌊min(d_out, d_in)/T⌋; the U's and the V's of all tasks are concatenated and each
/// concatenation replaced by its polar factor (UVᵀ of its SVD), then <c>ΔW = U_⊥·diag(σ)·V_⊥ᵀ</c> with the tasks'
/// kept singular values and <c>B + α·ΔW</c>. Updates whose singular vectors are already mutually orthogonal come
/// back as their exact sum. See <see cref="SubspaceMerge"/> for the fallback and parameters.
/// </summary>
public sealed class TsvMerge() : SubspaceMerge("tsv")
{
    /// <inheritdoc/>
    /// <remarks>ΔW depends on the sources alone (alpha is applied after), so a search computes it once per tensor.</remarks>
    protected override torch.Tensor Update(MergeContext context, IReadOnlyList<torch.Tensor> deltas) =>
        Cached(context, "delta-w", () => [Of(deltas)])[0];

    /// <summary>TSV-M's ΔW of task updates (also esm's fallback for tensors without proxy inputs).</summary>
    internal static torch.Tensor Of(IReadOnlyList<torch.Tensor> deltas)
    {
        long k = SingularFactors.RankPerTask(deltas[0], deltas.Count);
        var factors = deltas.Select(d => SingularFactors.Truncated(d, k)).ToList();
        return SingularFactors.OrthogonalRebuild(
            torch.cat(factors.Select(f => f.U).ToArray(), 1),
            torch.cat(factors.Select(f => f.S).ToArray(), 0),
            torch.cat(factors.Select(f => f.Vh).ToArray(), 0));
    }
}
