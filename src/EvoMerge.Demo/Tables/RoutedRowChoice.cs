namespace EvoMerge.Demo.Tables;

/// <summary>
/// How the demo table picks its routed row, by the rule of every other chosen row: the grid point with the best dev
/// average; on a tie the earlier (cheaper) point of <see cref="RoutedGridPoint.Grid"/>. Test scores play no part.
/// </summary>
public static class RoutedRowChoice
{
    /// <summary>Index of the chosen point given each point's dev average (at least one).</summary>
    public static int Best(IReadOnlyList<double> devAverages)
    {
        if (devAverages.Count == 0) throw new ArgumentException("the routed grid has no scored point", nameof(devAverages));
        int best = 0;
        for (int i = 1; i < devAverages.Count; i++)
            if (devAverages[i] > devAverages[best]) best = i;
        return best;
    }
}
