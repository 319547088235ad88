using EvoMerge.Evaluation;

namespace EvoMerge.Demo.Tables;

/// <summary>One model's row of the demo table: how it was chosen on dev and its held-out test scores.</summary>
/// <param name="Model">Label (e.g. <c>addition</c>, <c>ties w=1.0 d=0.5</c>, <c>evolved #3</c>).</param>
/// <param name="Kind">base, source, task_arithmetic, ties, greedy soup, evolved or upper bound.</param>
/// <param name="Note">How the row was chosen (empty for fixed models).</param>
/// <param name="DevAverage">Mean of the same columns on the dev splits (what selection used).</param>
/// <param name="Test">Per column: value and standard error on the test split.</param>
/// <param name="Average">Mean over the columns.</param>
/// <param name="AverageStandardError">√(Σ SEᵢ²) / columns (columns treated as independent samples).</param>
/// <param name="Documents">Per column, the per-document scores (0 or 1) behind <paramref name="Test"/>, in document order.</param>
public sealed record DemoTableRow(string Model, string Kind, string Note, double DevAverage, IReadOnlyList<(double Value, double StandardError, int Count)> Test,
    double Average, double AverageStandardError, IReadOnlyList<double[]> Documents)
{
    /// <summary>
    /// This row's average minus <paramref name="reference"/>'s, document by document: per column the paired difference
    /// and its error (<see cref="MetricStatistics.PairedDifference"/>), combined over the columns as the average is.
    /// </summary>
    public (double Difference, double StandardError) Versus(DemoTableRow reference)
    {
        var columns = Documents.Select((d, c) => MetricStatistics.PairedDifference(d, reference.Documents[c])).ToList();
        return (columns.Average(c => c.Difference), MetricStatistics.MeanOfIndependentError([.. columns.Select(c => c.StandardError ?? 0)]));
    }
}
