using EvoMerge.Merging.Methods;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>
/// The polar factor of orthonormal rows extended by a few others (<see cref="ExtendedRowsPolar"/>, iso_cts's right
/// polar factor) against U·Vᵀ of a float64 LAPACK SVD of the same rows, taken here: square and wide, more or fewer
/// extra rows than orthonormal ones, extra rows nearly inside the orthonormal rows' span (the ill-conditioned case
/// iso_cts meets: κ in the thousands), the benchmark's 537 + 231 rows of 768; the cases it must refuse; and the
/// float64 orthonormalisation it relies on.
/// </summary>
public sealed class ExtendedRowsPolarTests
{
    /// <summary>
    /// P [c, n]: c rows of a seeded float64 orthogonal matrix, rounded to float32 (as a float32 SVD's vectors are
    /// orthonormal only to rounding) and made orthonormal again by <see cref="ExtendedRowsPolar.Orthonormalized"/>;
    /// T [k, n] float32: Gaussian rows, the first half of them moved to within <paramref name="nearness"/> of P's row
    /// space when it is positive (near dependence, a large condition number).
    /// </summary>
    private static (torch.Tensor P, torch.Tensor T) Rows(int n, int c, int k, double nearness, ulong seed)
    {
        using var generator = new torch.Generator(seed);
        var basis = torch.linalg.qr(torch.randn([n, n], dtype: torch.ScalarType.Float64, generator: generator)).Q.t();
        var p = ExtendedRowsPolar.Orthonormalized(basis.narrow(0, 0, c).to_type(torch.ScalarType.Float32));
        var t = torch.randn([k, n], dtype: torch.ScalarType.Float64, generator: generator).mul(0.3);
        if (nearness > 0)
        {
            int near = k / 2;
            var inside = torch.randn([near, c], dtype: torch.ScalarType.Float64, generator: generator).matmul(p).mul(0.3);
            var outside = torch.randn([near, n], dtype: torch.ScalarType.Float64, generator: generator).mul(nearness);
            t = torch.cat([inside.add(outside), t.narrow(0, near, k - near)], 0);
        }
        return (p, t.to_type(torch.ScalarType.Float32));
    }

    /// <summary>U·Vᵀ of the float64 SVD of [P; T] (T widened exactly): the reference.</summary>
    private static torch.Tensor ReferencePolar(torch.Tensor p, torch.Tensor t)
    {
        var (u, _, vh) = torch.linalg.svd(torch.cat([p, t.to_type(torch.ScalarType.Float64)], 0), fullMatrices: false);
        return u.matmul(vh);
    }

    private static double Condition(torch.Tensor p, torch.Tensor t)
    {
        var s = torch.linalg.svdvals(torch.cat([p, t.to_type(torch.ScalarType.Float64)], 0));
        return s.max().ToDouble() / s.min().ToDouble();
    }

    [Theory]
    [InlineData(40, 24, 16, 0.0)]
    [InlineData(60, 20, 12, 0.0)]
    [InlineData(40, 8, 20, 0.0)]
    [InlineData(48, 24, 16, 1e-3)]
    [InlineData(64, 24, 24, 1e-3)]
    [InlineData(768, 537, 231, 0.1)]
    public void The_polar_factor_matches_a_float64_svd(int n, int c, int k, double nearness)
    {
        using var scope = torch.NewDisposeScope();
        var (p, t) = Rows(n, c, k, nearness, (ulong)(n + 10 * c + 100 * k));
        // κ ≈ 4.5e3, 3.6e3 and 5.6e3 (the route's limit at n = 768 is 8.7e3).
        if (nearness > 0) Assert.True(Condition(p, t) > 1e3, $"condition number {Condition(p, t)}");

        var polar = ExtendedRowsPolar.Of(p, t);

        Assert.NotNull(polar);
        Assert.Equal(torch.ScalarType.Float32, polar!.dtype);
        Assert.Equal(new long[] { c + k, n }, polar.shape);
        var reference = ReferencePolar(p, t);
        double error = (polar.to_type(torch.ScalarType.Float64) - reference).norm().ToDouble() / reference.norm().ToDouble();
        Assert.True(error < 1e-6, $"relative error {error}");
        // The float32 SVD route on the same rows rounded to float32, for scale: this one is no less accurate.
        var rows = torch.cat([p.to_type(torch.ScalarType.Float32), t], 0);
        double svdError = (SingularFactors.Polar(rows).to_type(torch.ScalarType.Float64) - reference).norm().ToDouble() / reference.norm().ToDouble();
        Assert.True(error <= Math.Max(svdError, 1e-7), $"extended rows {error}, float32 svd {svdError}");
    }

    [Fact]
    public void Rank_deficient_near_tolerance_float64_and_oversized_rows_are_refused()
    {
        using var scope = torch.NewDisposeScope();
        var (p, t) = Rows(40, 24, 10, 0.0, 3);
        Assert.NotNull(ExtendedRowsPolar.Of(p, t));

        // An extra row equal to an orthonormal one, or zero: rank deficient, no unique full polar factor.
        var repeated = t.clone();
        repeated.narrow(0, 3, 1).copy_(p.narrow(0, 5, 1).to_type(torch.ScalarType.Float32));
        Assert.Null(ExtendedRowsPolar.Of(p, repeated));
        var zero = t.clone();
        zero.narrow(0, 7, 1).zero_();
        Assert.Null(ExtendedRowsPolar.Of(p, zero));

        // n = 40: float32's numerical-rank tolerance is 40·ε32 ≈ 4.8e-6 of σ_max and the route needs 1.25 times that
        // (6.0e-6, about 1.5e-5 at these rows' σ_max ≈ 2.5). An extra row p_5 + δ·w, w a unit row orthogonal to every
        // other row, lies δ from their span, so the smallest singular value is at most δ: δ = 1e-5 is inside the
        // margin; δ = 1e-3 is clear of it.
        using var generator = new torch.Generator(4);
        var others = torch.cat([p, t.to_type(torch.ScalarType.Float64).narrow(0, 0, 3), t.to_type(torch.ScalarType.Float64).narrow(0, 4, 6)], 0);
        var basis = torch.linalg.qr(others.t()).Q.t();
        var w = torch.randn([1, 40], dtype: torch.ScalarType.Float64, generator: generator);
        w = w.sub(w.matmul(basis.t()).matmul(basis));
        w = w.div(w.norm());
        torch.Tensor Near(double delta)
        {
            var rows = t.to_type(torch.ScalarType.Float64).clone();
            rows.narrow(0, 3, 1).copy_(p.narrow(0, 5, 1).add(w.mul(delta)));
            return rows.to_type(torch.ScalarType.Float32);
        }
        Assert.Null(ExtendedRowsPolar.Of(p, Near(1e-5)));
        Assert.NotNull(ExtendedRowsPolar.Of(p, Near(1e-3)));

        Assert.Null(ExtendedRowsPolar.Of(p, t.to_type(torch.ScalarType.Float64)));
        Assert.Null(ExtendedRowsPolar.Of(p.to_type(torch.ScalarType.Float32), t));
        var (wideP, tooMany) = Rows(40, 24, 17, 0.0, 5);
        Assert.Null(ExtendedRowsPolar.Of(wideP, tooMany));
        // Square rows nearly dependent beyond the route's limit (κ ≈ 4e6 against 1.4e5 at n = 48).
        var (nearP, nearT) = Rows(48, 32, 16, 1e-3, 48 + 320 + 1600);
        Assert.True(Condition(nearP, nearT) > 1e6);
        Assert.Null(ExtendedRowsPolar.Of(nearP, nearT));
    }

    [Theory]
    [InlineData(20, 20)]
    [InlineData(16, 40)]
    [InlineData(256, 512)]
    public void Orthonormalized_rows_are_the_gram_schmidt_rows_of_nearly_orthonormal_float32_rows(int r, int n)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator((ulong)(r * n));
        // A float32 SVD's right vectors: orthonormal only to float32 rounding.
        var (_, _, vh) = torch.linalg.svd(torch.randn([r, n], generator: generator), fullMatrices: false);
        var wide = vh.to_type(torch.ScalarType.Float64);
        double before = wide.matmul(wide.t()).sub(torch.eye(r, dtype: torch.ScalarType.Float64)).abs().max().ToDouble();

        var rows = ExtendedRowsPolar.Orthonormalized(vh);

        Assert.Equal(torch.ScalarType.Float64, rows.dtype);
        double after = rows.matmul(rows.t()).sub(torch.eye(r, dtype: torch.ScalarType.Float64)).abs().max().ToDouble();
        Assert.True(before > 1e-8, $"float32 vectors deviate by {before}");
        Assert.True(after < 1e-14, $"orthonormal to {after}");
        // Gram–Schmidt in float64 (Householder QR of Vᵀ, signs so that R's diagonal is positive) gives the same rows.
        var (q, rr) = torch.linalg.qr(wide.t());
        var reference = q.mul(rr.diagonal().sign().unsqueeze(0)).t();
        double distance = reference.sub(rows).abs().max().ToDouble();
        Assert.True(distance < 1e-13, $"{distance} from Gram–Schmidt in float64");
        Assert.True(rows.sub(wide).abs().max().ToDouble() < 10 * before, "rows moved by more than their deviation");
        // A leading block is made orthonormal on its own.
        var leading = ExtendedRowsPolar.Orthonormalized(vh.narrow(0, 0, r / 2));
        Assert.True(leading.sub(rows.narrow(0, 0, r / 2)).abs().max().ToDouble() < 1e-14);
    }
}
