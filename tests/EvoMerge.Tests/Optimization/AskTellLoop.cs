using EvoMerge.Optimization;

namespace EvoMerge.Tests.Optimization;

/// <summary>Drives an optimizer with a synchronous evaluation function.</summary>
internal static class AskTellLoop
{
    /// <summary>One Ask/evaluate/Tell round; returns the evaluations.</summary>
    public static EvaluatedGenome[] Step(IOptimizer optimizer, Func<Genome, EvaluatedGenome> evaluate)
    {
        var results = optimizer.Ask().Select(evaluate).ToArray();
        optimizer.Tell(results);
        return results;
    }

    /// <summary>Runs until the best value so far is below <paramref name="target"/> or <paramref name="maxEvaluations"/> is reached; returns (best value, evaluations).</summary>
    public static (double Best, long Evaluations) Minimise(IOptimizer optimizer, Func<IReadOnlyList<double>, double> f,
        double target, long maxEvaluations)
    {
        double best = double.PositiveInfinity;
        long evaluations = 0;
        while (best >= target && evaluations < maxEvaluations)
        {
            foreach (var result in Step(optimizer, g => EvaluatedGenome.Feasible(g, f(g.Reals))))
            {
                evaluations++;
                best = Math.Min(best, result.Objectives[0]);
            }
        }
        return (best, evaluations);
    }
}
