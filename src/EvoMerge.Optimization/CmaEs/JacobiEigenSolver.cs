namespace EvoMerge.Optimization.CmaEs;

/// <summary>
/// Eigendecomposition of a small symmetric matrix by the cyclic Jacobi method: sweeps of plane rotations that zero
/// each off-diagonal element in turn until the off-diagonal mass is negligible. O(n³) per sweep; meant for n up to a
/// few hundred. Deterministic for a given input.
/// </summary>
public static class JacobiEigenSolver
{
    private const int MaxSweeps = 100;

    /// <summary>
    /// Eigenvalues in ascending order and the matching unit eigenvectors as columns (<c>Vectors[i][k]</c> is component i
    /// of eigenvector k). Only the upper triangle of <paramref name="matrix"/> is read.
    /// </summary>
    public static (double[] Values, double[][] Vectors) Decompose(double[][] matrix)
    {
        int n = matrix.Length;
        var a = new double[n][];
        var v = new double[n][];
        for (int i = 0; i < n; i++)
        {
            if (matrix[i].Length != n)
            {
                throw new ArgumentException("matrix is not square", nameof(matrix));
            }
            a[i] = new double[n];
            v[i] = new double[n];
            v[i][i] = 1.0;
        }
        for (int i = 0; i < n; i++)
        {
            for (int j = i; j < n; j++)
            {
                a[i][j] = a[j][i] = matrix[i][j];
            }
        }
        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            double off = 0.0, diagonal = 0.0;
            for (int p = 0; p < n; p++)
            {
                diagonal += a[p][p] * a[p][p];
                for (int q = p + 1; q < n; q++)
                {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off <= 1e-30 * diagonal || off == 0.0)
            {
                break;
            }
            for (int p = 0; p < n - 1; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    Rotate(a, v, p, q);
                }
            }
        }
        var order = Enumerable.Range(0, n).OrderBy(k => a[k][k]).ThenBy(k => k).ToArray();
        var values = order.Select(k => a[k][k]).ToArray();
        var vectors = new double[n][];
        for (int i = 0; i < n; i++)
        {
            vectors[i] = order.Select(k => v[i][k]).ToArray();
        }
        return (values, vectors);
    }

    /// <summary>Applies the rotation in the (p, q) plane that zeroes a[p][q]: A ← JᵀAJ, V ← VJ.</summary>
    private static void Rotate(double[][] a, double[][] v, int p, int q)
    {
        double apq = a[p][q];
        if (apq == 0.0)
        {
            return;
        }
        double theta = (a[q][q] - a[p][p]) / (2.0 * apq);
        double t = double.IsFinite(theta * theta)
            ? Math.Sign(theta == 0.0 ? 1.0 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1.0))
            : 1.0 / (2.0 * theta);
        double c = 1.0 / Math.Sqrt(t * t + 1.0);
        double s = t * c;
        int n = a.Length;
        for (int k = 0; k < n; k++)
        {
            double akp = a[k][p], akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++)
        {
            double apk = a[p][k], aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; k++)
        {
            double vkp = v[k][p], vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
        }
        a[p][q] = a[q][p] = 0.0;
    }
}
