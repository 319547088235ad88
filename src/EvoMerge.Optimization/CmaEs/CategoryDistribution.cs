namespace EvoMerge.Optimization.CmaEs;

/// <summary>
/// Independent categorical distributions, one per categorical gene, as CMA-ES uses them: each generation the
/// probabilities move towards the recombination-weighted choice frequencies of the best μ candidates
/// (p ← (1 − η) p + η Σ wᵢ [choice of i-th best]), then every probability is raised to at least floor/k and the
/// vector renormalised, so no choice is ever lost.
/// </summary>
internal static class CategoryDistribution
{
    /// <summary>Uniform probabilities, or half the mass on the start genome's choice when there is one.</summary>
    public static double[][] Initial(GeneSpace space, Genome? start)
    {
        var probabilities = new double[space.CategoryGeneCount][];
        for (int j = 0; j < probabilities.Length; j++)
        {
            int k = space.CategoryCounts[j];
            probabilities[j] = new double[k];
            for (int c = 0; c < k; c++)
            {
                probabilities[j][c] = start is null ? 1.0 / k : 0.5 / k;
            }
            if (start is not null)
            {
                probabilities[j][start.Categories[j]] += 0.5;
            }
        }
        return probabilities;
    }

    /// <summary>One choice drawn from <paramref name="probabilities"/>.</summary>
    public static int Sample(double[] probabilities, SearchRandom random)
    {
        double u = random.NextDouble();
        double cumulative = 0.0;
        for (int c = 0; c < probabilities.Length - 1; c++)
        {
            cumulative += probabilities[c];
            if (u < cumulative)
            {
                return c;
            }
        }
        return probabilities.Length - 1;
    }

    /// <summary>Moves the distributions towards the weighted choices of <paramref name="ranked"/> (best first).</summary>
    public static void Update(double[][] probabilities, IReadOnlyList<int[]> ranked, IReadOnlyList<double> weights,
        double learningRate, double floor)
    {
        for (int j = 0; j < probabilities.Length; j++)
        {
            double[] p = probabilities[j];
            int k = p.Length;
            var frequency = new double[k];
            for (int i = 0; i < weights.Count; i++)
            {
                frequency[ranked[i][j]] += weights[i];
            }
            double total = 0.0;
            for (int c = 0; c < k; c++)
            {
                p[c] = Math.Max((1.0 - learningRate) * p[c] + learningRate * frequency[c], floor / k);
                total += p[c];
            }
            for (int c = 0; c < k; c++)
            {
                p[c] /= total;
            }
        }
    }
}
