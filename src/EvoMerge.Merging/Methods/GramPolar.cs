using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// The polar factor of a float32 A [m, r] (m ≥ r) from the float64 symmetric eigendecomposition of its Gram matrix
/// instead of an SVD of A: <c>AᵀA = ZΛZᵀ</c>, polar factor <c>A·Z·Λ^(−1/2)·Zᵀ</c>, the singular values being √λ.
/// The Gram matrix and everything after it are formed in float64 from A's float32 values, so they are exact to
/// ε64·‖A‖² and the result errs by about ε64·κ² (κ = σ_max/σ_min), below the float32 SVD's own ε32·κ for every
/// κ &lt; ε32/ε64 ≈ 5e8.
/// <para>
/// Taken only when σ_min ≥ <see cref="ToleranceMargin"/>·σ_max·m·ε32, i.e. when every singular value is clearly
/// above the numerical-rank tolerance of <see cref="SingularFactors.Significant"/> (at m = 768: σ_min/σ_max ≥ 1.1e-4,
/// κ ≤ 8.7e3, an error ≤ 2e-8): then the SVD route's partial isometry is the full polar factor, which this computes.
/// Otherwise (a rank-deficient A: two identical tasks, a zeroed column; or a singular value near the tolerance) the
/// caller takes the SVD. On iso_cts's concatenated right vectors of the benchmark (768 × 768, κ up to 9e3) this route
/// was 1e-11 to 1e-9 from a float64 SVD where the float32 SVD was 1.3e-6 to 2.2e-6. Float64 matrices keep the SVD,
/// whose error ε64·κ the route would not match.
/// </para>
/// </summary>
internal static class GramPolar
{
    /// <summary>
    /// How far above the numerical-rank tolerance (σ_max·m·ε32 of <see cref="SingularFactors.Significant"/>) the
    /// smallest singular value must be for this route: 1.25 times it.
    /// </summary>
    public const double ToleranceMargin = 1.25;

    /// <summary>
    /// The polar factor of <paramref name="a"/> [m, r], m ≥ r, in float32; null when A is too close to rank deficient
    /// for this route, is not float32, or m &lt; r (the caller then takes <see cref="SingularFactors.Polar"/>).
    /// </summary>
    public static torch.Tensor? Of(torch.Tensor a)
    {
        long m = a.shape[0], r = a.shape[1];
        if (a.dtype != torch.ScalarType.Float32 || m < r || r == 0) return null;
        var x = a.to_type(torch.ScalarType.Float64);
        var (lambda, z) = torch.linalg.eigh(x.t().matmul(x));
        double lowest = lambda.min().ToDouble(), highest = lambda.max().ToDouble();
        double ratio = ToleranceMargin * m * SingularFactors.Epsilon(a.dtype);
        if (!(lowest > 0.0 && lowest >= ratio * ratio * highest)) return null;
        var inverseRoot = z.mul(lambda.rsqrt().unsqueeze(0)).matmul(z.t());
        return x.matmul(inverseRoot).to_type(a.dtype);
    }
}
