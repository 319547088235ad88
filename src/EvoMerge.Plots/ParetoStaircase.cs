namespace EvoMerge.Plots;

/// <summary>
/// The step line of a two-objective front: its members ordered by the first objective, and between each two
/// neighbours the corner that takes the worse value of each objective (the boundary of the region the front
/// dominates). For two maximised objectives that is (x_i, y_{i+1}); for two minimised ones (x_{i+1}, y_i).
/// </summary>
public static class ParetoStaircase
{
    /// <summary>The line's vertices: member, corner, member, ..., member (empty for no members).</summary>
    public static IReadOnlyList<(double X, double Y)> Through(IEnumerable<(double X, double Y)> members, bool maximizeX, bool maximizeY)
    {
        var sorted = members.OrderBy(p => p.X).ThenBy(p => p.Y).ToArray();
        var line = new List<(double X, double Y)>(Math.Max(0, 2 * sorted.Length - 1));
        for (int i = 0; i < sorted.Length; i++)
        {
            if (i > 0)
            {
                var (a, b) = (sorted[i - 1], sorted[i]);
                line.Add((Worse(a.X, b.X, maximizeX), Worse(a.Y, b.Y, maximizeY)));
            }
            line.Add(sorted[i]);
        }
        return line;
    }

    private static double Worse(double a, double b, bool maximize) => maximize ? Math.Min(a, b) : Math.Max(a, b);
}
