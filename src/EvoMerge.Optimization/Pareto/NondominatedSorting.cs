namespace EvoMerge.Optimization.Pareto;

/// <summary>Deb et al.'s fast non-dominated sort (O(M N²)) under constrained dominance.</summary>
public static class NondominatedSorting
{
    /// <summary>Indices into <paramref name="population"/> grouped by front, best front first, ascending within a front.</summary>
    public static List<List<int>> Fronts(IReadOnlyList<EvaluatedGenome> population)
    {
        int n = population.Count;
        var dominated = new List<int>[n];
        var dominationCount = new int[n];
        var fronts = new List<List<int>>();
        var current = new List<int>();
        for (int p = 0; p < n; p++)
        {
            dominated[p] = [];
        }
        for (int p = 0; p < n; p++)
        {
            for (int q = p + 1; q < n; q++)
            {
                int comparison = Dominance.Compare(population[p], population[q]);
                if (comparison > 0)
                {
                    dominated[p].Add(q);
                    dominationCount[q]++;
                }
                else if (comparison < 0)
                {
                    dominated[q].Add(p);
                    dominationCount[p]++;
                }
            }
        }
        for (int p = 0; p < n; p++)
        {
            if (dominationCount[p] == 0)
            {
                current.Add(p);
            }
        }
        while (current.Count > 0)
        {
            fronts.Add(current);
            var next = new List<int>();
            foreach (int p in current)
            {
                foreach (int q in dominated[p])
                {
                    if (--dominationCount[q] == 0)
                    {
                        next.Add(q);
                    }
                }
            }
            next.Sort();
            current = next;
        }
        return fronts;
    }

    /// <summary>The front index (rank, 0 = best) of every member.</summary>
    public static int[] Ranks(IReadOnlyList<EvaluatedGenome> population, IReadOnlyList<List<int>> fronts)
    {
        var ranks = new int[population.Count];
        for (int f = 0; f < fronts.Count; f++)
        {
            foreach (int p in fronts[f])
            {
                ranks[p] = f;
            }
        }
        return ranks;
    }
}
