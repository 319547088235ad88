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
    /// every truncation is unique): geometrically (a top 8 of 24 ends at 0.40, the float64 route), or
    /// <paramref name="flat"/>, linearly (a top 8 of 24 ends at 0.67 beside 0.63, the float32 route).
    /// </summary>
    private static torch.Tensor Matrix(int m, int n, int rank, ulong seed, bool flat = false)
    {
        using var generator = new torch.Generator(seed);
        var left = torch.linalg.qr(torch.randn([m, rank], generator: generator, dtype: torch.ScalarType.Float64)).Q;
        var right = torch.linalg.qr(torch.randn([n, rank], generator: generator, dtype: torch.ScalarType.Float64)).Q;
        var spectrum = flat ? torch.linspace(1, 0.05, rank, dtype: torch.ScalarType.Float64) : torch.logspace(0, -1.3, rank, dtype: torch.ScalarType.Float64);
        return left.mul(spectrum.unsqueeze(0)).matmul(right.t()).to_type(torch.ScalarType.Float32);
    }

    [Theory]
    [InlineData(60, 24, 24, 8, false, false)]
    [InlineData(24, 60, 24, 8, false, false)]
    [InlineData(60, 24, 24, 8, true, false)]
    [InlineData(24, 60, 24, 24, false, false)]
    [InlineData(50, 30, 5, 8, false, false)]
    [InlineData(30, 50, 5, 8, true, false)]
    [InlineData(60, 24, 24, 8, false, true)]
    [InlineData(24, 60, 24, 8, false, true)]
    [InlineData(60, 24, 24, 8, true, true)]
    public void The_top_triplets_match_a_float64_svd(int m, int n, int rank, int k, bool columnGram, bool flat)
    {
        using var scope = torch.NewDisposeScope();
        var a = Matrix(m, n, rank, (ulong)(m * 100 + n + k), flat);
        var wide = a.to_type(torch.ScalarType.Float64);
        var (u, s, vh) = SingularFactors.TruncatedByGram(a, k, columnGram ? wide.t().matmul(wide) : null);

        Assert.Equal(new long[] { m, k }, u.shape);
        Assert.Equal(new long[] { k }, s.shape);
        Assert.Equal(new long[] { k, n }, vh.shape);
        Assert.Equal(torch.ScalarType.Float32, u.dtype);
        var (eu, es, evh) = torch.linalg.svd(wide, fullMatrices: false);
        // Values to float32 rounding (σ_max = 1), or, from the float32 eigenproblem, to a few ε32.
        double valueError = es.narrow(0, 0, k).sub(s.to_type(torch.ScalarType.Float64)).abs().max().ToDouble();
        Assert.True(valueError < (flat ? 1e-6 : 2e-7), $"singular values off by {valueError}");
        int kept = Math.Min(k, rank);
        // The kept directions: the rank-k truncation, and orthonormal vectors on both sides.
        var truncation = eu.narrow(1, 0, kept).mul(es.narrow(0, 0, kept).unsqueeze(0)).matmul(evh.narrow(0, 0, kept));
        var rebuilt = u.narrow(1, 0, kept).mul(s.narrow(0, 0, kept).unsqueeze(0)).matmul(vh.narrow(0, 0, kept)).to_type(torch.ScalarType.Float64);
        TensorAssert.Close(truncation, rebuilt, 1e-6);
        // No further from it than the float32 SVD's truncation (twice its error, for rounding's spread).
        var (fu, fs, fvh) = torch.linalg.svd(a, fullMatrices: false);
        var svdTruncation = fu.narrow(1, 0, kept).mul(fs.narrow(0, 0, kept).unsqueeze(0)).matmul(fvh.narrow(0, 0, kept)).to_type(torch.ScalarType.Float64);
        double error = rebuilt.sub(truncation).norm().ToDouble(), svdError = svdTruncation.sub(truncation).norm().ToDouble();
        Assert.True(error <= Math.Max(2 * svdError, 1e-7), $"gram route {error}, float32 svd {svdError}");
        TensorAssert.Close(torch.eye(kept), u.narrow(1, 0, kept).t().matmul(u.narrow(1, 0, kept)), 1e-6);
        TensorAssert.Close(torch.eye(kept), vh.narrow(0, 0, kept).matmul(vh.narrow(0, 0, kept).t()), 1e-6);
        // Past the rank the values are the float32 input's rounding, below the numerical-rank tolerance.
        Assert.Equal(kept, (int)SingularFactors.Significant(s, a).sum().ToDouble());
    }

    [Fact]
    public void The_float32_eigenproblem_is_taken_only_for_large_split_values()
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor Gram(torch.Tensor a)
        {
            var x = a.to_type(torch.ScalarType.Float64);
            return x.t().matmul(x);
        }
        var flat = Gram(Matrix(60, 24, 24, 3, flat: true));
        var steep = Gram(Matrix(60, 24, 24, 3));
        Assert.NotNull(SingularFactors.TopEigenpairs(flat, 8, torch.ScalarType.Float32));
        Assert.Null(SingularFactors.TopEigenpairs(steep, 8, torch.ScalarType.Float32));
        Assert.NotNull(SingularFactors.TopEigenpairs(steep, 8, torch.ScalarType.Float64));
        // σ_8 = 0.67 ≥ σ_1/2, but σ_20 = 0.24: past half of σ_1 the float32 route is refused.
        Assert.Null(SingularFactors.TopEigenpairs(flat, 20, torch.ScalarType.Float32));
        var (lambda, vectors) = SingularFactors.TopEigenpairs(flat, 8, torch.ScalarType.Float32)!.Value;
        Assert.Equal(torch.ScalarType.Float64, lambda.dtype);
        Assert.Equal(new long[] { 24, 8 }, vectors.shape);
        Assert.True(lambda.narrow(0, 0, 7).ge(lambda.narrow(0, 1, 7)).all().item<bool>(), "descending");
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
