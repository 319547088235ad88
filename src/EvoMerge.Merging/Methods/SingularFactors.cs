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
    /// min(m, n). A float32 <paramref name="a"/> takes them from the symmetric eigendecomposition of a float64 Gram
    /// matrix: <paramref name="columnGram"/> (AᵀA [n, n]) when the caller has it, otherwise the smaller of AᵀA and AAᵀ
    /// formed here; σ = √λ and the other side's vectors are A·v/σ (or uᵀA/σ) in float64, zero where σ ≤ 1e-8·σ_max
    /// (vectors every caller masks out). The eigenproblem is solved in float32 when the kept values are large and split
    /// from the rest, σ_k ≥ σ_1/2 and σ_k + σ_(k+1) ≥ σ_1 (read from that solution): its errors, about
    /// ε32·σ_1²/(2σ_i) for a value and ε32·σ_1²/(σ_k² − σ_(k+1)²) for the kept subspace, are then within the float32
    /// SVD's ε32·σ_1 and ε32·σ_1/(σ_k − σ_(k+1)), at about half the cost of float64. Otherwise it is solved in float64:
    /// errors ε64·σ_1²/(2σ_i) and ε64·σ_1²/(σ_k² − σ_(k+1)²), far below the SVD's, except for values under ≈ 1e-8·σ_1,
    /// which lose their accuracy (far under the numerical-rank tolerance of <see cref="Significant"/>, ≈ 1e-4·σ_1).
    /// Either way one eigendecomposition of order min(m, n) (or n) replaces an SVD. A float64 <paramref name="a"/>
    /// keeps <see cref="Truncated"/> (the SVD), which squaring would make less accurate.
    /// </summary>
    public static (torch.Tensor U, torch.Tensor S, torch.Tensor Vh) TruncatedByGram(torch.Tensor a, long k, torch.Tensor? columnGram = null)
    {
        if (a.dtype != torch.ScalarType.Float32) return Truncated(a, k);
        using var scalars = new HeldScalars();
        var x = a.to_type(torch.ScalarType.Float64);
        bool columns = columnGram is not null || a.shape[0] >= a.shape[1];
        var gram = columnGram ?? (columns ? x.t().matmul(x) : x.matmul(x.t()));
        var (lambda, top) = TopEigenpairs(gram, k, torch.ScalarType.Float32) ?? TopEigenpairs(gram, k, torch.ScalarType.Float64)!.Value;
        var sigma = lambda.clamp_min(scalars.Hold(0.0)).sqrt();
        var inverse = torch.where(sigma.gt(sigma.max().mul(scalars.Hold(1e-8))), sigma.reciprocal(), torch.zeros_like(sigma));
        var (u, vh) = columns
            ? (x.matmul(top).mul(inverse.unsqueeze(0)), top.t())
            : (top, top.t().matmul(x).mul(inverse.unsqueeze(1)));
        return (u.to_type(a.dtype), sigma.to_type(a.dtype), vh.to_type(a.dtype));
    }

    /// <summary>
    /// The <paramref name="k"/> largest eigenvalues (descending, float64) of the symmetric <paramref name="gram"/> and
    /// their eigenvectors (columns, float64), solved in <paramref name="dtype"/>; in float32 null unless
    /// σ_k ≥ σ_1/2 and σ_k + σ_(k+1) ≥ σ_1 for σ = √λ (see <see cref="TruncatedByGram"/>).
    /// </summary>
    internal static (torch.Tensor Lambda, torch.Tensor Vectors)? TopEigenpairs(torch.Tensor gram, long k, torch.ScalarType dtype)
    {
        var (lambda, vectors) = torch.linalg.eigh(gram.to_type(dtype));
        long order = lambda.shape[0];
        var descending = lambda.to_type(torch.ScalarType.Float64).flip(0);
        if (dtype == torch.ScalarType.Float32)
        {
            double Sigma(long i) => Math.Sqrt(Math.Max(descending[i].ToDouble(), 0.0));
            double first = Sigma(0), kth = Sigma(k - 1), next = k < order ? Sigma(k) : 0.0;
            if (!(first > 0.0 && kth >= first / 2 && kth + next >= first)) return null;
        }
        return (descending.narrow(0, 0, k), vectors.narrow(1, order - k, k).flip(1).to_type(torch.ScalarType.Float64));
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
