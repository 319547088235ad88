using EvoMerge.Merging.Methods;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>
/// The float64 Gram-matrix SVD the subspace methods fall back to when LAPACK's divide-and-conquer SVD fails: the same
/// singular values, a reconstruction of the input, orthonormal vectors for the non-zero values, and the same polar
/// factor, on tall, wide and rank-deficient matrices.
/// </summary>
public sealed class GramSvdTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 48, 20, 20 },
        { 20, 48, 20 },
        { 40, 30, 7 },
        { 30, 40, 5 },
    };

    /// <summary>A [m, n] float32 matrix of rank <paramref name="rank"/> with singular values spread over two decades.</summary>
    private static torch.Tensor Matrix(int m, int n, int rank, ulong seed)
    {
        using var generator = new torch.Generator(seed);
        var left = torch.linalg.qr(torch.randn([m, rank], generator: generator, dtype: torch.ScalarType.Float64)).Q;
        var right = torch.linalg.qr(torch.randn([n, rank], generator: generator, dtype: torch.ScalarType.Float64)).Q;
        var spectrum = torch.logspace(0, -2, rank, dtype: torch.ScalarType.Float64);
        return left.mul(spectrum.unsqueeze(0)).matmul(right.t()).to_type(torch.ScalarType.Float32);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gram_svd_matches_lapack_and_rebuilds_the_matrix(int m, int n, int rank)
    {
        using var scope = torch.NewDisposeScope();
        var a = Matrix(m, n, rank, (ulong)(m * 100 + n));
        var (u, s, vh) = SingularFactors.GramSvd(a);
        var (_, expected, _) = torch.linalg.svd(a, fullMatrices: false);

        Assert.Equal(new long[] { m, Math.Min(m, n) }, u.shape);
        Assert.Equal(new long[] { Math.Min(m, n) }, s.shape);
        Assert.Equal(new long[] { Math.Min(m, n), n }, vh.shape);
        TensorAssert.Close(expected, s, 1e-5);
        TensorAssert.Close(a, u.mul(s.unsqueeze(0)).matmul(vh), 1e-5);
        var kept = u.narrow(1, 0, rank);
        TensorAssert.Close(torch.eye(rank), kept.t().matmul(kept), 1e-5);
        var rows = vh.narrow(0, 0, rank);
        TensorAssert.Close(torch.eye(rank), rows.matmul(rows.t()), 1e-5);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gram_svd_gives_the_same_polar_factor_over_the_significant_values(int m, int n, int rank)
    {
        using var scope = torch.NewDisposeScope();
        var a = Matrix(m, n, rank, (ulong)(m * 7 + n));
        var (u, s, vh) = SingularFactors.GramSvd(a);
        var polar = u.mul(SingularFactors.Significant(s, a).unsqueeze(0)).matmul(vh);

        TensorAssert.Close(SingularFactors.Polar(a), polar, 1e-4);
        Assert.Equal(rank, (int)SingularFactors.Significant(s, a).sum().ToDouble());
    }
}
