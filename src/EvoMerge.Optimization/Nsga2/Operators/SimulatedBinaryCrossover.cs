namespace EvoMerge.Optimization.Nsga2.Operators;

/// <summary>
/// Bounded simulated binary crossover (Deb and Agrawal 1995, in the bounded form used by NSGA-II) for genes in [0, 1].
/// Each variable is crossed with probability <see cref="VariableProbability"/>; the spread factor follows a
/// polynomial distribution with index <see cref="Eta"/>, truncated so that both children stay inside the bounds,
/// and the two children's values are swapped with probability ½.
/// </summary>
public sealed record SimulatedBinaryCrossover(double Eta, double VariableProbability)
{
    private const double MinimumGap = 1e-14;

    /// <summary>Crosses <paramref name="a"/> and <paramref name="b"/> in place.</summary>
    public void Apply(double[] a, double[] b, SearchRandom random)
    {
        for (int i = 0; i < a.Length; i++)
        {
            if (random.NextDouble() >= VariableProbability)
            {
                continue;
            }
            double y1 = Math.Min(a[i], b[i]);
            double y2 = Math.Max(a[i], b[i]);
            if (y2 - y1 <= MinimumGap)
            {
                continue;
            }
            double u = random.NextDouble();
            double gap = y2 - y1;
            double lowerSpread = SpreadFactor(1.0 + 2.0 * y1 / gap, u);
            double upperSpread = SpreadFactor(1.0 + 2.0 * (1.0 - y2) / gap, u);
            double c1 = Math.Clamp(0.5 * (y1 + y2 - lowerSpread * gap), 0.0, 1.0);
            double c2 = Math.Clamp(0.5 * (y1 + y2 + upperSpread * gap), 0.0, 1.0);
            if (random.NextDouble() < 0.5)
            {
                (c1, c2) = (c2, c1);
            }
            a[i] = c1;
            b[i] = c2;
        }
    }

    /// <summary>βq for uniform <paramref name="u"/>, with the distribution truncated at spread <paramref name="beta"/>.</summary>
    private double SpreadFactor(double beta, double u)
    {
        double exponent = 1.0 / (Eta + 1.0);
        double alpha = 2.0 - Math.Pow(beta, -(Eta + 1.0));
        return u <= 1.0 / alpha
            ? Math.Pow(u * alpha, exponent)
            : Math.Pow(1.0 / (2.0 - u * alpha), exponent);
    }
}
