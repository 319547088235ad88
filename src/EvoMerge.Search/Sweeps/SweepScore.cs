using EvoMerge.Search.Configuration;

namespace EvoMerge.Search.Sweeps;

/// <summary>
/// A sweep's dev score of one merge: the weighted mean of its objectives (each objective's <c>weight</c>, default 1),
/// a minimised objective counted negatively, so higher is better. With one maximised objective it is that objective.
/// </summary>
public static class SweepScore
{
    /// <summary>The dev score of <paramref name="objectives"/> (in the config's order); NaN when one is not finite.</summary>
    public static double Of(SearchConfig config, IReadOnlyList<double> objectives)
    {
        double total = 0, weights = 0;
        for (int j = 0; j < config.Objectives.Count; j++)
        {
            var objective = config.Objectives[j];
            total += objective.Weight * (objective.Maximize ? objectives[j] : -objectives[j]);
            weights += objective.Weight;
        }
        return weights > 0 ? total / weights : double.NaN;
    }
}
