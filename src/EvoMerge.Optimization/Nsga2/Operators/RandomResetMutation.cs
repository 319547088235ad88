namespace EvoMerge.Optimization.Nsga2.Operators;

/// <summary>
/// Random-reset mutation for categorical genes: each gene mutates with probability <see cref="Probability"/> to a
/// uniformly chosen different choice (genes with a single choice never change).
/// </summary>
public sealed record RandomResetMutation(double Probability)
{
    /// <summary>Mutates <paramref name="genes"/> in place; true when any gene changed.</summary>
    public bool Apply(int[] genes, IReadOnlyList<int> choiceCounts, SearchRandom random)
    {
        bool mutated = false;
        for (int j = 0; j < genes.Length; j++)
        {
            if (random.NextDouble() >= Probability || choiceCounts[j] < 2)
            {
                continue;
            }
            int other = random.NextInt(choiceCounts[j] - 1);
            genes[j] = other >= genes[j] ? other + 1 : other;
            mutated = true;
        }
        return mutated;
    }
}
