using EvoMerge.Merging.Methods;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>
/// The top-k singular triplets from a float64 Gram eigendecomposition (<see cref="SingularFactors.TruncatedByGram"/>,
/// iso_cts's per-task directions) against a float64 LAPACK SVD of the same float32 matrix, taken here: tall and wide,
/// with the caller's column Gram, of lower rank than k; and float64 input, which keeps the SVD.
/// </summary>
public sealed class TruncatedByGramTests
{
    /// <summary>
    /// A [m, n] float32 matrix of rank <paramref name="rank"/> whose singular values fall from 1 to 0.05 (distinct, so
    /// every truncation is unique).
    /// </summary>
    private static torch.Tensor Matrix(int m, int n, int rank, ulong seed)
    {
        using var generator = new torch.Generator(seed);
        var left = torch.linalg.qr(torch.randn([m, rank], generator: generator, dtype: torch.ScalarType.Float64)).Q;
        var right = torch.linalg.qr(torch.randn([n, rank], generator: generator, dtype: torch.ScalarType.Float64)).Q;
        var spectrum = torch.logspace(0, -1.3, rank, dtype: torch.ScalarType.Float64);
        return left.mul(spectrum.unsqueeze(0)).matmul(right.t()).to_type(torch.ScalarType.Float32);
    }

    [Theory]
    [InlineData(60, 24, 24, 8, false)]
    [InlineData(24, 60, 24, 8, false)]
    [InlineData(60, 24, 24, 8, true)]
    [InlineData(24, 60, 24, 24, false)]
    [InlineData(50, 30, 5, 8, false)]
    [InlineData(30, 50, 5, 8, true)]
    public void The_top_triplets_match_a_float64_svd(int m, int n, int rank, int k, bool columnGram)
    {
        using var scope = torch.NewDisposeScope();
        var a = Matrix(m, n, rank, (ulong)(m * 100 + n + k));
        var wide = a.to_type(torch.ScalarType.Float64);
        var (u, s, vh) = SingularFactors.TruncatedByGram(a, k, columnGram ? wide.t().matmul(wide) : null);

        Assert.Equal(new long[] { m, k }, u.shape);
        Assert.Equal(new long[] { k }, s.shape);
        Assert.Equal(new long[] { k, n }, vh.shape);
        Assert.Equal(torch.ScalarType.Float32, u.dtype);
        var (eu, es, evh) = torch.linalg.svd(wide, fullMatrices: false);
        // Values to float32 rounding (σ_max = 1).
        double valueError = es.narrow(0, 0, k).sub(s.to_type(torch.ScalarType.Float64)).abs().max().ToDouble();
        Assert.True(valueError < 2e-7, $"singular values off by {valueError}");
        int kept = Math.Min(k, rank);
        // The kept directions: the rank-k truncation, and orthonormal vectors on both sides.
        var truncation = eu.narrow(1, 0, kept).mul(es.narrow(0, 0, kept).unsqueeze(0)).matmul(evh.narrow(0, 0, kept));
        var rebuilt = u.narrow(1, 0, kept).mul(s.narrow(0, 0, kept).unsqueeze(0)).matmul(vh.narrow(0, 0, kept)).to_type(torch.ScalarType.Float64);
        TensorAssert.Close(truncation, rebuilt, 1e-6);
        TensorAssert.Close(torch.eye(kept), u.narrow(1, 0, kept).t().matmul(u.narrow(1, 0, kept)), 1e-6);
        TensorAssert.Close(torch.eye(kept), vh.narrow(0, 0, kept).matmul(vh.narrow(0, 0, kept).t()), 1e-6);
        // Past the rank the values are the float32 input's rounding, below the numerical-rank tolerance.
        Assert.Equal(kept, (int)SingularFactors.Significant(s, a).sum().ToDouble());
    }

    [Fact]
    public void Float64_input_keeps_the_svd()
    {
        using var scope = torch.NewDisposeScope();
        var a = Matrix(30, 20, 20, 7).to_type(torch.ScalarType.Float64);
        var (u, s, vh) = SingularFactors.TruncatedByGram(a, 6);
        var (eu, es, evh) = SingularFactors.Truncated(a, 6);
        Assert.Equal(torch.ScalarType.Float64, u.dtype);
        Assert.True(eu.equal(u).all().item<bool>() && es.equal(s).all().item<bool>() && evh.equal(vh).all().item<bool>());
    }
}
