using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// Linear algebra the subspace methods share, all through <see cref="Svd"/> (reduced) in the caller's dtype and
/// dispose scope.
/// </summary>
internal static class SingularFactors
{
    /// <summary>
    /// The polar factor of <paramref name="a"/>: <c>U·Vᵀ</c> of its reduced SVD over the numerically non-zero singular
    /// values only (<see cref="Significant"/>), the partial isometry nearest to it. A rank-deficient
    /// <paramref name="a"/> (two tasks sharing directions, a zeroed column) has no unique full polar factor: LAPACK's
    /// vectors for its zero singular values are arbitrary and would add directions that no task has. A zero matrix
    /// gives zero.
    /// </summary>
    public static torch.Tensor Polar(torch.Tensor a)
    {
        var (u, s, vh) = Svd(a);
        return u.mul(Significant(s, a).unsqueeze(0)).matmul(vh);
    }

    /// <summary>
    /// <see cref="Polar"/> of <paramref name="a"/> [m, r], m ≥ r: from the float64 eigendecomposition of its Gram
    /// matrix (<see cref="GramPolar"/>) when <paramref name="a"/> is float32 and every singular value is clearly above
    /// the numerical-rank tolerance, otherwise from the SVD.
    /// </summary>
    public static torch.Tensor PolarOfColumns(torch.Tensor a) => GramPolar.Of(a) ?? Polar(a);

    /// <summary>
    /// The reduced SVD of <paramref name="a"/> [m, n]: U [m, r], S [r] descending, Vᵀ [r, n], r = min(m, n), in
    /// <paramref name="a"/>'s dtype. LAPACK's divide-and-conquer driver (<c>torch.linalg.svd</c>) first; when it
    /// reports a failure to converge, <see cref="GramSvd"/> instead. That failure stopped three ~100M-parameter runs of
    /// <c>evomerge bench subspace</c>; the one caught was iso_cts's polar factor of a finite [2048, 768] stack of unit
    /// vectors with σ in [0.53, 1.37], which decomposes without error in a fresh process, so it depends on the
    /// library's state, not on the values.
    /// </summary>
    public static (torch.Tensor U, torch.Tensor S, torch.Tensor Vh) Svd(torch.Tensor a)
    {
        try
        {
            return torch.linalg.svd(a, fullMatrices: false);
        }
        catch (System.Runtime.InteropServices.ExternalException)
        {
            return GramSvd(a);
        }
    }

    /// <summary>
    /// The reduced SVD of <paramref name="a"/> from the symmetric eigendecomposition of its smaller Gram matrix in
    /// float64 (<c>AᵀA = VΛVᵀ</c>, σ = √λ, U = AV/σ; the transpose for a wide matrix). Squaring loses the singular
    /// values below ≈ 1e-8·σ_max, far under the float32 numerical-rank tolerance (<see cref="Significant"/>); their
    /// left vectors (arbitrary in any SVD) are returned as zero columns, which every caller masks out.
    /// </summary>
    internal static (torch.Tensor U, torch.Tensor S, torch.Tensor Vh) GramSvd(torch.Tensor a)
    {
        if (a.shape[0] < a.shape[1])
        {
            var (ut, st, vht) = GramSvd(a.t());
            return (vht.t(), st, ut.t());
        }
        using var scalars = new HeldScalars();
        var x = a.to_type(torch.ScalarType.Float64);
        var (lambda, v) = torch.linalg.eigh(x.t().matmul(x));
        lambda = lambda.flip(0).clamp_min(scalars.Hold(0.0));
        v = v.flip(1);
        var sigma = lambda.sqrt();
        var positive = sigma.gt(sigma.max().mul(scalars.Hold(1e-8)));
        var inverse = torch.where(positive, sigma.reciprocal(), torch.zeros_like(sigma));
        var u = x.matmul(v).mul(inverse.unsqueeze(0));
        return (u.to_type(a.dtype), sigma.to_type(a.dtype), v.t().to_type(a.dtype));
    }

    /// <summary>
    /// 1 for the singular values <paramref name="s"/> of <paramref name="a"/> that are numerically non-zero,
    /// <c>σ &gt; σ_max·max(m, n)·ε</c> (the usual numerical-rank tolerance, ε of the dtype), 0 for the rest; all 0 for a
    /// zero matrix. In <paramref name="s"/>'s dtype.
    /// </summary>
    public static torch.Tensor Significant(torch.Tensor s, torch.Tensor a)
    {
        using var scalars = new HeldScalars();
        double tolerance = Math.Max(a.shape[0], a.shape[1]) * Epsilon(s.dtype);
        return s.gt(s.max().mul(scalars.Hold(tolerance))).to_type(s.dtype);
    }

    /// <summary>The machine epsilon of the work dtype (float64, otherwise float32).</summary>
    public static double Epsilon(torch.ScalarType dtype) => dtype == torch.ScalarType.Float64 ? 2.220446049250313e-16 : 1.1920929e-7;

    /// <summary>The top <paramref name="k"/> singular triplets: U [m, k], S [k], Vᵀ [k, n].</summary>
    public static (torch.Tensor U, torch.Tensor S, torch.Tensor Vh) Truncated(torch.Tensor a, long k)
    {
        var (u, s, vh) = Svd(a);
        return (u.narrow(1, 0, k), s.narrow(0, 0, k), vh.narrow(0, 0, k));
    }

    /// <summary>
    /// The top <paramref name="k"/> singular triplets of <paramref name="a"/> [m, n] (U [m, k], S [k], Vᵀ [k, n]), k ≤
    /// min(m, n). A float32 <paramref name="a"/> takes them from the float64 eigendecomposition of a Gram matrix:
    /// <paramref name="columnGram"/> (AᵀA [n, n], float64) when the caller has it, otherwise the smaller of AᵀA and AAᵀ
    /// formed here; then σ = √λ and the other side's vectors are A·v/σ (or uᵀA/σ), both in float64. Squaring costs the
    /// singular values below ≈ 1e-8·σ_max their accuracy (far under the float32 numerical-rank tolerance of
    /// <see cref="Significant"/>, ≈ 1e-4); their vectors on the other side are returned as zeros, which every caller
    /// masks out. For the kept ones the error is ε64·σ_max²/(σ² gaps), below the float32 SVD's ε32·σ_max/(σ gaps),
    /// and only one eigendecomposition of order min(m, n) (or n) is taken instead of an SVD. A float64
    /// <paramref name="a"/> keeps <see cref="Truncated"/> (the SVD), which the squaring would make less accurate.
    /// </summary>
    public static (torch.Tensor U, torch.Tensor S, torch.Tensor Vh) TruncatedByGram(torch.Tensor a, long k, torch.Tensor? columnGram = null)
    {
        if (a.dtype != torch.ScalarType.Float32) return Truncated(a, k);
        using var scalars = new HeldScalars();
        var x = a.to_type(torch.ScalarType.Float64);
        bool columns = columnGram is not null || a.shape[0] >= a.shape[1];
        var gram = columnGram ?? (columns ? x.t().matmul(x) : x.matmul(x.t()));
        var (lambda, vectors) = torch.linalg.eigh(gram);
        long order = lambda.shape[0];
        var sigma = lambda.narrow(0, order - k, k).flip(0).clamp_min(scalars.Hold(0.0)).sqrt();
        var top = vectors.narrow(1, order - k, k).flip(1);
        var largest = lambda.max().clamp_min(scalars.Hold(0.0)).sqrt();
        var inverse = torch.where(sigma.gt(largest.mul(scalars.Hold(1e-8))), sigma.reciprocal(), torch.zeros_like(sigma));
        var (u, vh) = columns
            ? (x.matmul(top).mul(inverse.unsqueeze(0)), top.t())
            : (top, top.t().matmul(x).mul(inverse.unsqueeze(1)));
        return (u.to_type(a.dtype), sigma.to_type(a.dtype), vh.to_type(a.dtype));
    }

    /// <summary>
    /// TSV-M's reconstruction: the concatenated left vectors <paramref name="u"/> [m, K] and right vectors
    /// <paramref name="vh"/> [K, n] replaced by their polar factors, then <c>U_⊥·diag(s)·V_⊥ᵀ</c>. Directions whose
    /// singular value is negligible (≤ 1e-6 of the largest) carry nothing; they are zeroed before the polar factors so
    /// that their arbitrary vectors (a rank-deficient task's null space) do not tilt the others.
    /// </summary>
    public static torch.Tensor OrthogonalRebuild(torch.Tensor u, torch.Tensor s, torch.Tensor vh)
    {
        using var scalars = new HeldScalars();
        var kept = s.gt(s.max().mul(scalars.Hold(1e-6))).to_type(s.dtype);
        return OrthogonalRebuild(Polar(u.mul(kept.unsqueeze(0))), s, vh, kept);
    }

    /// <summary>
    /// <see cref="OrthogonalRebuild(torch.Tensor, torch.Tensor, torch.Tensor)"/> with the left polar factor already
    /// taken (of the left vectors times <paramref name="kept"/>, the mask of non-negligible singular values). When
    /// <paramref name="vh"/> is wide (fewer directions than columns) its polar factor comes from the K × K Gram matrix
    /// (<see cref="PolarOfColumns"/> of its transpose), which for K = 768 and 2048 columns costs about half the SVD.
    /// </summary>
    public static torch.Tensor OrthogonalRebuild(torch.Tensor polarU, torch.Tensor s, torch.Tensor vh, torch.Tensor kept)
    {
        var rows = vh.mul(kept.unsqueeze(1));
        var polarVh = rows.shape[1] > rows.shape[0] ? PolarOfColumns(rows.t()).t() : Polar(rows);
        return polarU.mul(s.mul(kept).unsqueeze(0)).matmul(polarVh);
    }

    /// <summary>The per-task rank ⌊min(m, n) / T⌋ (at least 1) of a [m, n] matrix merged from T tasks.</summary>
    public static long RankPerTask(torch.Tensor delta, int tasks) => Math.Max(1, Math.Min(delta.shape[0], delta.shape[1]) / tasks);
}
