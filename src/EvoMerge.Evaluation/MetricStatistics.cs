namespace EvoMerge.Evaluation;

/// <summary>Aggregates of per-document values and their standard errors.</summary>
public static class MetricStatistics
{
    /// <summary>
    /// The mean and its standard error: the sample standard deviation (n − 1 denominator) over √n, as lm-eval's
    /// <c>mean_stderr</c>; the error is null for fewer than two values.
    /// </summary>
    public static (double Mean, double? StandardError) Mean(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return (double.NaN, null);
        double mean = values.Average();
        if (values.Count < 2) return (mean, null);
        double squares = values.Sum(v => (v - mean) * (v - mean));
        return (mean, Math.Sqrt(squares / (values.Count - 1) / values.Count));
    }

    /// <summary>
    /// The difference of two means over the same documents, mean(xᵢ − yᵢ), and its paired standard error (the
    /// <see cref="Mean"/> error of the differences): two models that agree on most documents differ with a far smaller
    /// error than their two unpaired errors combined. Null error for fewer than two documents.
    /// </summary>
    public static (double Difference, double? StandardError) PairedDifference(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"paired values differ in count ({x.Count} and {y.Count})");
        return Mean([.. x.Zip(y, (a, b) => a - b)]);
    }

    /// <summary>
    /// The standard error of the mean of independent estimates with the given standard errors: √(Σ SEᵢ²) / n.
    /// </summary>
    public static double MeanOfIndependentError(IReadOnlyCollection<double> errors) =>
        Math.Sqrt(errors.Sum(e => e * e)) / errors.Count;

    /// <summary>
    /// The ratio of sums R = Σnumerator / Σdenominator (lm-eval's weighted aggregation) and its delta-method
    /// standard error √(Σ(numeratorᵢ − R·denominatorᵢ)² / (n(n − 1))) / mean(denominator); the error is null for
    /// fewer than two values.
    /// </summary>
    public static (double Ratio, double? StandardError) Ratio(IReadOnlyList<double> numerators, IReadOnlyList<double> denominators)
    {
        if (numerators.Count != denominators.Count) throw new ArgumentException("numerators and denominators differ in count");
        int n = numerators.Count;
        double denominator = denominators.Sum();
        double ratio = numerators.Sum() / denominator;
        if (n < 2) return (ratio, null);
        double squares = 0;
        for (int i = 0; i < n; i++)
        {
            double residual = numerators[i] - ratio * denominators[i];
            squares += residual * residual;
        }
        return (ratio, Math.Sqrt(squares / ((double)n * (n - 1))) / (denominator / n));
    }
}
