namespace EvoMerge.Optimization;

/// <summary>The rules that make told values comparable: NaN objectives and violations become +∞, negative violations 0.</summary>
internal static class FitnessValues
{
    public static double Objective(double value) => double.IsNaN(value) ? double.PositiveInfinity : value;

    public static double Violation(double value) =>
        double.IsNaN(value) ? double.PositiveInfinity : Math.Max(0.0, value);

    public static double[] Objectives(IReadOnlyList<double> values)
    {
        var result = new double[values.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Objective(values[i]);
        }
        return result;
    }

    /// <summary>A copy with sanitised values whose genome is <paramref name="genome"/>.</summary>
    public static EvaluatedGenome Sanitize(EvaluatedGenome evaluated, Genome genome) =>
        new(genome, Objectives(evaluated.Objectives), Violation(evaluated.ConstraintViolation));
}
