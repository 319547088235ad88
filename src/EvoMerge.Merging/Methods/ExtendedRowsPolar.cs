using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// The polar factor of rows M = [P; T] [c + k, n] where the c rows P are orthonormal and only the k rows T are not:
/// iso_cts's right vectors, the common subspace's rows of the sum's SVD followed by every task's rows. Then
/// <c>MMᵀ = I + E</c>, <c>E = [[0, Xᵀ], [X, TTᵀ − I]]</c> with X = TPᵀ, a matrix of rank at most 2k: with Xᵀ = Q·R
/// (thin QR, Q [c, q] orthonormal, q = min(c, k)) and W = [[Q, 0], [0, I_k]] (orthonormal columns),
/// <c>E = W·H·Wᵀ</c>, <c>H = [[0, R], [Rᵀ, TTᵀ − I]]</c> [q + k, q + k], so
/// <c>(MMᵀ)^(−1/2) = I + W·((I + H)^(−1/2) − I)·Wᵀ</c> and the polar factor <c>(MMᵀ)^(−1/2)·M</c> is M plus a
/// correction from one symmetric eigendecomposition of order q + k instead of c + k (462 instead of 768 on the
/// benchmark's tensors).
/// <para>
/// The identity block holds only for rows orthonormal to float64 rounding: float32 rows (orthonormal to ~1e-6) would
/// put an error of that size into the eigenvalues of MMᵀ, whose smallest ones are ~1/κ² (a 10 % error on a 64 × 48
/// iso_cts case, where this was first tried without it). The caller therefore passes P in float64, made orthonormal
/// by <see cref="Orthonormalized"/>; T is float32 and everything after it is float64, as in <see cref="GramPolar"/>,
/// whose error (about ε64·κ²) and whose refusal rule this shares: taken only when every eigenvalue of MMᵀ is at least
/// (1.25·n·ε32)² times the largest (every singular value clearly above the numerical-rank tolerance of
/// <see cref="SingularFactors.Significant"/>), otherwise null and the caller takes the general polar factor.
/// </para>
/// </summary>
internal static class ExtendedRowsPolar
{
    /// <summary>
    /// The polar factor of [<paramref name="orthonormal"/>; <paramref name="rows"/>] in float32, or null when it is
    /// too close to rank deficient for this route, when <paramref name="rows"/> is not float32, or when the rows do
    /// not fit (c + k &gt; n, no orthonormal rows or no others).
    /// </summary>
    /// <param name="orthonormal">P [c, n], float64, rows orthonormal to float64 rounding (<see cref="Orthonormalized"/>).</param>
    /// <param name="rows">T [k, n], float32.</param>
    public static torch.Tensor? Of(torch.Tensor orthonormal, torch.Tensor rows)
    {
        long c = orthonormal.shape[0], k = rows.shape[0], n = rows.shape[1];
        if (rows.dtype != torch.ScalarType.Float32 || orthonormal.dtype != torch.ScalarType.Float64
            || c == 0 || k == 0 || c + k > n || orthonormal.shape[1] != n)
            return null;
        using var scalars = new HeldScalars();
        var t = rows.to_type(torch.ScalarType.Float64);
        var (q, r) = torch.linalg.qr(t.matmul(orthonormal.t()).t());
        long kept = q.shape[1];
        var gram = t.matmul(t.t());
        var shifted = torch.cat([
            torch.cat([torch.eye(kept, dtype: torch.ScalarType.Float64), r], 1),
            torch.cat([r.t(), gram], 1),
        ], 0);
        var (lambda, z) = torch.linalg.eigh(shifted);
        // The eigenvalues of MMᵀ: those of I + H and, outside W's span, ones.
        double lowest = Math.Min(lambda.min().ToDouble(), 1.0), highest = Math.Max(lambda.max().ToDouble(), 1.0);
        double ratio = GramPolar.ToleranceMargin * n * SingularFactors.Epsilon(rows.dtype);
        if (!(lowest > 0.0 && lowest >= ratio * ratio * highest)) return null;
        var correction = z.mul(lambda.rsqrt().sub(scalars.Hold(1.0)).unsqueeze(0)).matmul(z.t());
        var projected = correction.matmul(torch.cat([q.t().matmul(orthonormal), t], 0));
        var top = orthonormal.add(q.matmul(projected.narrow(0, 0, kept)), ScalarConstants.One);
        var bottom = t.add(projected.narrow(0, kept, k), ScalarConstants.One);
        return torch.cat([top, bottom], 0).to_type(torch.ScalarType.Float32);
    }

    /// <summary>
    /// The rows of <paramref name="rows"/> [r, n] (r ≤ n, orthonormal to the rounding of their dtype, e.g. right
    /// singular vectors from a float32 SVD) made orthonormal to float64 rounding, in float64, by one Cholesky QR step:
    /// <c>VVᵀ = LLᵀ</c>, <c>V ← L⁻¹V</c> (orthonormal to ε64·κ(V)², and κ(V) ≈ 1). Row i is combined with rows 0..i
    /// only, as in Gram–Schmidt, so every leading block of the result is the same block made orthonormal on its own;
    /// rows move by about their deviation from orthonormality (a float32 SVD's 768 × 768 Vᵀ: largest |VVᵀ − I| 1.7e-6
    /// before, ~1e-15 after).
    /// </summary>
    public static torch.Tensor Orthonormalized(torch.Tensor rows)
    {
        var v = rows.to_type(torch.ScalarType.Float64);
        var lower = torch.linalg.cholesky(v.matmul(v.t()));
        return torch.linalg.solve_triangular(lower, v, upper: false);
    }
}
