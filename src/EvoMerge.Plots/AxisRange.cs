namespace EvoMerge.Plots;

/// <summary>
/// An objective's axis limits on a front plot: the range of its values widened by 5% of that range on each side
/// (by 0.05 when every value is the same), so points on the edge stay visible.
/// </summary>
public readonly record struct AxisRange(double Min, double Max)
{
    /// <summary>The limits for <paramref name="values"/> (0 to 1 when there are none).</summary>
    public static AxisRange Of(IEnumerable<double> values)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (double v in values)
        {
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }
        if (lo > hi) return new AxisRange(0, 1);
        double pad = hi > lo ? 0.05 * (hi - lo) : 0.05;
        return new AxisRange(lo - pad, hi + pad);
    }

    /// <summary>The limits of objective <paramref name="objective"/> over everything <paramref name="data"/> draws.</summary>
    public static AxisRange Of(FrontPlotData data, int objective) =>
        Of(data.Evaluated.Concat(data.Archive).Concat(data.References.Select(r => r.Objectives)).Select(v => v[objective]));
}
