namespace EvoMerge.Optimization.Pareto;

/// <summary>
/// Exact hypervolume of a set of minimised objective vectors with respect to a reference point: the measure of the
/// region dominated by the set and bounded by the reference. Points that are not strictly better than the reference in
/// every objective (or hold NaN) contribute nothing. Two objectives: a sweep, O(n log n). More: slicing along the last
/// objective and summing the (d−1)-dimensional volumes of the slices, O(n² log n) for three objectives.
/// </summary>
public static class Hypervolume
{
    /// <summary>The hypervolume of <paramref name="points"/> with respect to <paramref name="reference"/>.</summary>
    public static double Compute(IEnumerable<IReadOnlyList<double>> points, IReadOnlyList<double> reference)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(reference);
        int d = reference.Count;
        if (d == 0)
        {
            throw new ArgumentException("the reference point needs at least one objective", nameof(reference));
        }
        var inside = new List<double[]>();
        foreach (var point in points)
        {
            if (point.Count != d)
            {
                throw new ArgumentException($"a point has {point.Count} objectives, the reference {d}", nameof(points));
            }
            bool dominatesReference = true;
            for (int i = 0; i < d && dominatesReference; i++)
            {
                dominatesReference = point[i] < reference[i];
            }
            if (dominatesReference)
            {
                inside.Add([.. point]);
            }
        }
        return Volume(inside, [.. reference], d);
    }

    /// <summary>Volume in the first <paramref name="d"/> coordinates of points that all lie strictly inside the reference box.</summary>
    private static double Volume(List<double[]> points, double[] reference, int d)
    {
        if (points.Count == 0)
        {
            return 0.0;
        }
        if (d == 1)
        {
            return reference[0] - points.Min(p => p[0]);
        }
        if (d == 2)
        {
            return Area(points, reference);
        }
        int last = d - 1;
        var sorted = points.OrderBy(p => p[last]).ToList();
        double volume = 0.0;
        var slice = new List<double[]>(sorted.Count);
        for (int i = 0; i < sorted.Count; i++)
        {
            slice.Add(sorted[i]);
            double upper = i + 1 < sorted.Count ? sorted[i + 1][last] : reference[last];
            double height = upper - sorted[i][last];
            if (height > 0.0)
            {
                volume += height * Volume(slice, reference, d - 1);
            }
        }
        return volume;
    }

    /// <summary>Two-dimensional sweep over the first two coordinates, ascending in the first.</summary>
    private static double Area(List<double[]> points, double[] reference)
    {
        var sorted = points.OrderBy(p => p[0]).ThenBy(p => p[1]).ToList();
        double area = 0.0;
        double lowestSecond = reference[1];
        foreach (var p in sorted)
        {
            if (p[1] < lowestSecond)
            {
                area += (reference[0] - p[0]) * (lowestSecond - p[1]);
                lowestSecond = p[1];
            }
        }
        return area;
    }
}
