using EvoMerge.Merging.Methods;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>
/// The polar factor from the float64 eigendecomposition of the Gram matrix (<see cref="GramPolar"/>) against the polar
/// factor U·Vᵀ of a float64 LAPACK SVD of the same float32 matrix, taken here: tall and square, with and without an
/// orthonormal block among the columns, on the benchmark's shape; and the cases it must refuse (rank deficient, a
/// singular value near the numerical-rank tolerance, float64, more columns than rows).
/// </summary>
public sealed class GramPolarTests
{
    /// <summary>U·Vᵀ of the float64 SVD of <paramref name="a"/>: the reference.</summary>
    private static torch.Tensor ReferencePolar(torch.Tensor a)
    {
        var (u, _, vh) = torch.linalg.svd(a.to_type(torch.ScalarType.Float64), fullMatrices: false);
        return u.matmul(vh);
    }

    /// <summary>
    /// [m, c + p] float32: c orthonormal columns (QR of a seeded Gaussian) followed by p Gaussian columns that are not
    /// orthogonal to them.
    /// </summary>
    private static torch.Tensor WithOrthonormalBlock(int m, int c, int p, ulong seed)
    {
        using var generator = new torch.Generator(seed);
        var block = torch.linalg.qr(torch.randn([m, Math.Max(c, 1)], dtype: torch.ScalarType.Float64, generator: generator)).Q.narrow(1, 0, c);
        var rest = torch.randn([m, p], dtype: torch.ScalarType.Float64, generator: generator).mul(0.3);
        return torch.cat([block, rest], 1).to_type(torch.ScalarType.Float32);
    }

    [Theory]
    [InlineData(40, 0, 12)]
    [InlineData(40, 8, 6)]
    [InlineData(30, 20, 10)]
    [InlineData(24, 16, 8)]
    [InlineData(2048, 537, 231)]
    public void The_polar_factor_matches_a_float64_svd(int m, int c, int p)
    {
        using var scope = torch.NewDisposeScope();
        var a = WithOrthonormalBlock(m, c, p, (ulong)(m + 10 * c + 100 * p));
        var polar = GramPolar.Of(a);

        Assert.NotNull(polar);
        Assert.Equal(torch.ScalarType.Float32, polar!.dtype);
        Assert.Equal(a.shape, polar.shape);
        var reference = ReferencePolar(a);
        double error = (polar.to_type(torch.ScalarType.Float64) - reference).norm().ToDouble() / reference.norm().ToDouble();
        Assert.True(error < 1e-6, $"relative error {error}");
        // The float32 SVD route, for scale: the eigenproblem in float64 is no less accurate.
        double svdError = (SingularFactors.Polar(a).to_type(torch.ScalarType.Float64) - reference).norm().ToDouble() / reference.norm().ToDouble();
        Assert.True(error <= Math.Max(svdError, 1e-7), $"gram {error}, float32 svd {svdError}");
    }

    [Fact]
    public void Polar_of_columns_agrees_with_polar_where_the_route_is_refused()
    {
        using var scope = torch.NewDisposeScope();
        var a = WithOrthonormalBlock(20, 4, 6, 3);
        // A repeated column: rank deficient, the SVD's partial isometry is the answer.
        var repeated = torch.cat([a, a.narrow(1, 9, 1)], 1);
        Assert.Null(GramPolar.Of(repeated));
        TensorAssert.Equal(SingularFactors.Polar(repeated), SingularFactors.PolarOfColumns(repeated));
    }

    [Fact]
    public void Rank_deficient_near_tolerance_float64_and_wide_matrices_are_refused()
    {
        using var scope = torch.NewDisposeScope();
        var a = WithOrthonormalBlock(20, 4, 6, 5);
        // m = 20: float32's numerical-rank tolerance is 20·ε32 ≈ 2.4e-6 of σ_max and the route needs 1.25 times that
        // (3.0e-6). σ_min = 2.5e-6·σ_max is kept by the SVD but inside the margin: refused. 1e-4·σ_max: taken.
        var (u, s, vh) = torch.linalg.svd(a.to_type(torch.ScalarType.Float64), fullMatrices: false);
        var near = s.clone();
        near[near.shape[0] - 1] = s[0].mul(2.5e-6);
        var nearTolerance = u.mul(near.unsqueeze(0)).matmul(vh).to_type(torch.ScalarType.Float32);
        Assert.Null(GramPolar.Of(nearTolerance));
        var clear = s.clone();
        clear[clear.shape[0] - 1] = s[0].mul(1e-4);
        Assert.NotNull(GramPolar.Of(u.mul(clear.unsqueeze(0)).matmul(vh).to_type(torch.ScalarType.Float32)));

        var zeroColumn = a.clone();
        zeroColumn.narrow(1, 7, 1).zero_();
        Assert.Null(GramPolar.Of(zeroColumn));
        Assert.Null(GramPolar.Of(a.to_type(torch.ScalarType.Float64)));
        Assert.Null(GramPolar.Of(a.t()));
    }

    [Fact]
    public void A_matrix_of_orthonormal_columns_is_its_own_polar_factor()
    {
        using var scope = torch.NewDisposeScope();
        var a = WithOrthonormalBlock(12, 5, 0, 9);
        TensorAssert.Close(a, GramPolar.Of(a)!, 1e-6);
        TensorAssert.Close(ReferencePolar(a), GramPolar.Of(a)!, 1e-6);
    }
}
