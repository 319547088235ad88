namespace EvoMerge.Optimization.Nsga2.Operators;

/// <summary>
/// Bounded polynomial mutation (Deb and Goyal 1996, in the form used by NSGA-II) for genes in [0, 1]: each gene mutates
/// with probability <see cref="Probability"/> by a perturbation from a polynomial distribution of index
/// <see cref="Eta"/> that accounts for the distance to the nearer bound.
/// </summary>
public sealed record PolynomialMutation(double Eta, double Probability)
{
    /// <summary>Mutates <paramref name="genes"/> in place; true when any gene was selected for mutation.</summary>
    public bool Apply(double[] genes, SearchRandom random)
    {
        bool mutated = false;
        double exponent = 1.0 / (Eta + 1.0);
        for (int i = 0; i < genes.Length; i++)
        {
            if (random.NextDouble() >= Probability)
            {
                continue;
            }
            mutated = true;
            double y = genes[i];
            double u = random.NextDouble();
            double delta;
            if (u < 0.5)
            {
                double xy = 1.0 - y;
                double value = 2.0 * u + (1.0 - 2.0 * u) * Math.Pow(xy, Eta + 1.0);
                delta = Math.Pow(value, exponent) - 1.0;
            }
            else
            {
                double xy = y;
                double value = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * Math.Pow(xy, Eta + 1.0);
                delta = 1.0 - Math.Pow(value, exponent);
            }
            genes[i] = Math.Clamp(y + delta, 0.0, 1.0);
        }
        return mutated;
    }
}
