namespace EvoMerge.Merging.Recipes;

/// <summary>
/// A list of values spread evenly over the layers of a slice (mergekit's "gradient"). Numbers are interpolated
/// piecewise-linearly; a list of booleans is a step function.
/// </summary>
public sealed record GradientSetting(IReadOnlyList<double> Anchors, ParameterKind Kind, int Line) : ParameterSetting(Line)
{
    /// <inheritdoc />
    public override double? Evaluate(string tensorName, double t) =>
        Kind == ParameterKind.Boolean ? Step(Anchors, t) : Interpolate(Anchors, t);

    /// <inheritdoc />
    public override IEnumerable<(double Value, ParameterKind Kind, int Line)> PlainValues() => Anchors.Select(a => (a, Kind, Line));

    /// <summary>
    /// mergekit's rule: x = t·(n−1), i0 = floor(x), i1 = min(n−1, i0+1), f = x − i0, value = (1−f)·s[i0] + f·s[i1].
    /// </summary>
    public static double Interpolate(IReadOnlyList<double> anchors, double t)
    {
        if (anchors.Count == 0) throw new ArgumentException("a gradient needs at least one value", nameof(anchors));
        double x = t * (anchors.Count - 1);
        int lower = (int)Math.Floor(x);
        int upper = Math.Min(anchors.Count - 1, lower + 1);
        double fraction = x - lower;
        return (1 - fraction) * anchors[lower] + fraction * anchors[upper];
    }

    /// <summary>The step rule for non-numeric lists: s[int(t·(n−1))].</summary>
    public static double Step(IReadOnlyList<double> anchors, double t)
    {
        if (anchors.Count == 0) throw new ArgumentException("a gradient needs at least one value", nameof(anchors));
        return anchors[(int)(t * (anchors.Count - 1))];
    }
}
