namespace EvoMerge.Optimization.Pareto;

/// <summary>Pareto and constrained dominance for minimisation (Deb et al. 2002).</summary>
public static class Dominance
{
    /// <summary>True when <paramref name="a"/> is nowhere worse than <paramref name="b"/> and somewhere better.</summary>
    public static bool Dominates(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"objective counts differ ({a.Count} and {b.Count})");
        }
        bool better = false;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i] > b[i])
            {
                return false;
            }
            if (a[i] < b[i])
            {
                better = true;
            }
        }
        return better;
    }

    /// <summary>
    /// Constrained dominance: a feasible candidate dominates an infeasible one; of two infeasible ones the smaller
    /// violation dominates, equal violations fall back to Pareto dominance; of two feasible ones Pareto dominance decides.
    /// </summary>
    public static bool ConstrainedDominates(IReadOnlyList<double> a, double violationA, IReadOnlyList<double> b, double violationB)
    {
        bool feasibleA = violationA <= 0.0, feasibleB = violationB <= 0.0;
        if (feasibleA != feasibleB)
        {
            return feasibleA;
        }
        if (!feasibleA && violationA != violationB)
        {
            return violationA < violationB;
        }
        return Dominates(a, b);
    }

    /// <summary>Constrained dominance between two evaluations.</summary>
    public static bool ConstrainedDominates(EvaluatedGenome a, EvaluatedGenome b) => Compare(a, b) > 0;

    /// <summary>+1 when <paramref name="a"/> constrained-dominates <paramref name="b"/>, −1 when the reverse holds, 0 otherwise.</summary>
    public static int Compare(EvaluatedGenome a, EvaluatedGenome b)
    {
        double violationA = a.ConstraintViolation, violationB = b.ConstraintViolation;
        bool feasibleA = violationA <= 0.0, feasibleB = violationB <= 0.0;
        if (feasibleA != feasibleB)
        {
            return feasibleA ? 1 : -1;
        }
        if (!feasibleA && violationA != violationB)
        {
            return violationA < violationB ? 1 : -1;
        }
        ReadOnlySpan<double> x = a.Objectives, y = b.Objectives;
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"objective counts differ ({x.Length} and {y.Length})");
        }
        bool aBetter = false, bBetter = false;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] < y[i])
            {
                aBetter = true;
            }
            else if (y[i] < x[i])
            {
                bBetter = true;
            }
        }
        return aBetter == bBetter ? 0 : aBetter ? 1 : -1;
    }
}
