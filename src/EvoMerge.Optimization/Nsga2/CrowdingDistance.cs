namespace EvoMerge.Optimization.Nsga2;

/// <summary>
/// Deb et al.'s crowding distance within one front: per objective, the boundary members get +∞ and inner members the
/// normalised gap between their neighbours. Objectives whose range is zero or not finite add nothing to inner members.
/// </summary>
public static class CrowdingDistance
{
    /// <summary>Distances of the members of <paramref name="front"/>, in the order of <paramref name="front"/>.</summary>
    public static double[] Compute(IReadOnlyList<EvaluatedGenome> population, IReadOnlyList<int> front)
    {
        int size = front.Count;
        var distance = new double[size];
        if (size == 0)
        {
            return distance;
        }
        int objectives = population[front[0]].Objectives.Length;
        var order = new int[size];
        for (int m = 0; m < objectives; m++)
        {
            for (int i = 0; i < size; i++)
            {
                order[i] = i;
            }
            int objective = m;
            Array.Sort(order, (a, b) =>
            {
                int byValue = population[front[a]].Objectives[objective].CompareTo(population[front[b]].Objectives[objective]);
                return byValue != 0 ? byValue : a.CompareTo(b);
            });
            double min = population[front[order[0]]].Objectives[m];
            double max = population[front[order[size - 1]]].Objectives[m];
            distance[order[0]] = double.PositiveInfinity;
            distance[order[size - 1]] = double.PositiveInfinity;
            double range = max - min;
            if (!(range > 0.0) || !double.IsFinite(range))
            {
                continue;
            }
            for (int i = 1; i < size - 1; i++)
            {
                double gap = population[front[order[i + 1]]].Objectives[m] - population[front[order[i - 1]]].Objectives[m];
                if (double.IsFinite(gap))
                {
                    distance[order[i]] += gap / range;
                }
            }
        }
        return distance;
    }
}
