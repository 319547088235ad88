using ScottPlot;

namespace EvoMerge.Plots;

/// <summary>
/// Renders the Pareto front of the first two objectives as a PNG: every scored candidate as a faint dot, the archive
/// members as dots joined in objective order (drawn on top), the base and source models as open squares, the plain
/// merges as open diamonds; the legend, outside the axes, names each reference model.
/// </summary>
public static class ParetoFrontPlot
{
    /// <summary>Colours of the reference models (Category10 without its orange and red, which the archive's OrangeRed resembles).</summary>
    private static readonly Color[] ReferenceColors =
        [.. new[] { "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#7f7f7f" }.Select(Color.FromHex)];

    /// <summary>PNG bytes of the plot.</summary>
    public static byte[] Render(FrontPlotData data, int width = 1100, int height = 650)
    {
        BundledFont.Register();
        var plot = new Plot();
        try
        {
            plot.Font.Set(BundledFont.Name);
            plot.Title(data.Title);
            plot.XLabel(data.XLabel);
            plot.YLabel(data.YLabel);

            if (data.Evaluated.Count > 0)
            {
                var all = plot.Add.ScatterPoints(data.Evaluated.Select(p => p.X).ToArray(), data.Evaluated.Select(p => p.Y).ToArray(), Colors.Gray.WithAlpha(0.35));
                all.MarkerSize = 5;
                all.LegendText = $"evaluated ({data.Evaluated.Count})";
            }
            int colour = 0;
            foreach (var (label, kind, x, y) in data.References)
            {
                var shape = kind == Search.Runs.ReferenceKind.Baseline ? MarkerShape.OpenDiamond : MarkerShape.OpenSquare;
                var color = kind == Search.Runs.ReferenceKind.Base ? Colors.Black : ReferenceColors[colour++ % ReferenceColors.Length];
                var marker = plot.Add.Marker(x, y, shape, 16, color);
                marker.MarkerLineWidth = 2.5f;
                marker.LegendText = (kind == Search.Runs.ReferenceKind.Baseline ? "plain merge: " : kind == Search.Runs.ReferenceKind.Source ? "source: " : "") + label;
            }
            if (data.Archive.Count > 0)
            {
                var front = data.Archive.OrderBy(p => p.X).ThenBy(p => p.Y).ToArray();
                var line = plot.Add.ScatterLine(front.Select(p => p.X).ToArray(), front.Select(p => p.Y).ToArray(), Colors.OrangeRed);
                line.LineWidth = 1.5f;
                var members = plot.Add.ScatterPoints(front.Select(p => p.X).ToArray(), front.Select(p => p.Y).ToArray(), Colors.OrangeRed);
                members.MarkerSize = 10;
                members.LegendText = $"archive ({data.Archive.Count})";
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
