using EvoMerge.Optimization;
using EvoMerge.Optimization.CmaEs;
using Xunit;

namespace EvoMerge.Tests.Optimization.CmaEs;

public sealed class JacobiEigenSolverTests
{
    [Fact]
    public void DiagonalisesAKnownMatrix()
    {
        double[][] matrix = [[2.0, 1.0], [1.0, 2.0]];
        var (values, vectors) = JacobiEigenSolver.Decompose(matrix);
        Assert.Equal(1.0, values[0], 1e-14);
        Assert.Equal(3.0, values[1], 1e-14);
        Assert.Equal(1.0 / Math.Sqrt(2.0), Math.Abs(vectors[0][1]), 1e-14);
        Assert.Equal(vectors[0][1], vectors[1][1], 1e-14);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(40)]
    public void ReconstructsRandomSymmetricMatrices(int n)
    {
        var random = new SearchRandom((ulong)n);
        var a = new double[n][];
        for (int i = 0; i < n; i++)
        {
            a[i] = new double[n];
        }
        for (int i = 0; i < n; i++)
        {
            for (int j = i; j < n; j++)
            {
                a[i][j] = a[j][i] = random.NextGaussian();
            }
        }
        var (values, vectors) = JacobiEigenSolver.Decompose(a);
        for (int k = 1; k < n; k++)
        {
            Assert.True(values[k - 1] <= values[k]);
        }
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double reconstructed = 0.0, gram = 0.0;
                for (int k = 0; k < n; k++)
                {
                    reconstructed += vectors[i][k] * values[k] * vectors[j][k];
                    gram += vectors[k][i] * vectors[k][j];
                }
                Assert.Equal(a[i][j], reconstructed, 1e-10);
                Assert.Equal(i == j ? 1.0 : 0.0, gram, 1e-12);
            }
        }
    }
}
