namespace EvoMerge.Tests.Optimization;

/// <summary>Standard optimisation test problems (all minimised).</summary>
internal static class BenchmarkFunctions
{
    public static double Sphere(IReadOnlyList<double> x) => x.Sum(v => v * v);

    public static double ShiftedSphere(IReadOnlyList<double> x, double centre) => x.Sum(v => (v - centre) * (v - centre));

    public static double Rosenbrock(IReadOnlyList<double> x)
    {
        double sum = 0.0;
        for (int i = 0; i < x.Count - 1; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1.0 - x[i];
            sum += 100.0 * a * a + b * b;
        }
        return sum;
    }

    /// <summary>ZDT1 (Zitzler, Deb and Thiele 2000): genes in [0, 1], convex front f₂ = 1 − √f₁.</summary>
    public static double[] Zdt1(IReadOnlyList<double> x)
    {
        double f1 = x[0];
        double g = 1.0 + 9.0 * x.Skip(1).Sum() / (x.Count - 1);
        double f2 = g * (1.0 - Math.Sqrt(f1 / g));
        return [f1, f2];
    }
}
