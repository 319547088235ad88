using EvoMerge.Search.Sweeps;
using ScottPlot;

namespace EvoMerge.Plots;

/// <summary>
/// The plots of a sweep: <c>sweep-grid.png</c> (dev score against the grid's first parameter, one line per value of
/// the second) and <c>sweep-path.png</c> (dev score against t along the path toward the base; t = 0 is the base), each
/// with the greedy soup's dev score as a horizontal line when the sweep cooked one.
/// </summary>
public static class SweepPlot
{
    /// <summary>File name of the grid plot.</summary>
    public const string GridFileName = "sweep-grid.png";

    /// <summary>File name of the path plot.</summary>
    public const string PathFileName = "sweep-path.png";

    /// <summary>PNG bytes of <paramref name="family"/>'s plot, or null when the table has no point of that family.</summary>
    public static byte[]? Render(SweepTable table, string family, int width = 900, int height = 500)
    {
        var indices = Enumerable.Range(0, table.Points.Count).Where(i => table.Points[i].Family == family).ToList();
        if (indices.Count == 0) return null;
        BundledFont.Register();
        var plot = new Plot();
        try
        {
            plot.Font.Set(BundledFont.Name);
            var first = table.Points[indices[0]];
            plot.Title(family == SweepPlan.PathFamily ? $"Path toward the base: base + t·({first.Method} − base)" : $"Grid: {first.Method}");
            plot.XLabel(family == SweepPlan.PathFamily ? "t" : first.Label.Split(' ')[1].Split('=')[0]);
            plot.YLabel("dev score");
            var palette = new ScottPlot.Palettes.Category10();
            int color = 0;
            foreach (var series in indices.GroupBy(i => table.Points[i].Series))
            {
                var line = plot.Add.Scatter(series.Select(i => table.Points[i].X).ToArray(), series.Select(i => table.Results[i].Score).ToArray(), palette.GetColor(color++));
                line.LineWidth = 2;
                line.MarkerSize = 6;
                if (!double.IsNaN(series.Key)) line.LegendText = string.Join(' ', table.Points[series.First()].Label.Split(' ').Skip(2));
            }
            if (table.Soup is { } soup && double.IsFinite(soup.Score))
            {
                var soupLine = plot.Add.HorizontalLine(soup.Score, 1, Colors.Gray);
                soupLine.LegendText = "greedy soup";
            }
            plot.ShowLegend(Edge.Right);
            return plot.GetImageBytes(width, height, ImageFormat.Png);
        }
        finally
        {
            plot.Dispose();
        }
    }
}
