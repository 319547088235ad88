namespace EvoMerge.Optimization.Nsga2.Operators;

/// <summary>Uniform crossover for categorical genes: each position is swapped between the two children with probability ½.</summary>
public static class UniformCrossover
{
    /// <summary>Crosses <paramref name="a"/> and <paramref name="b"/> in place.</summary>
    public static void Apply(int[] a, int[] b, SearchRandom random)
    {
        for (int j = 0; j < a.Length; j++)
        {
            if (random.NextDouble() < 0.5)
            {
                (a[j], b[j]) = (b[j], a[j]);
            }
        }
    }
}
