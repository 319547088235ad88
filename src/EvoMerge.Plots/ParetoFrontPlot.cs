using ScottPlot;

namespace EvoMerge.Plots;

/// <summary>
/// Renders the Pareto front as a PNG. Two objectives: one scatter of every scored candidate (faint dots), the
/// reference models (open squares and diamonds, named in a legend outside the axes) and the archive members (dots)
/// joined by their step line (see <see cref="ParetoStaircase"/>). Three or more: a scatter matrix (see
/// <see cref="ScatterMatrixPlot"/>), since a line through points projected on two axes would zig-zag.
/// </summary>
public static class ParetoFrontPlot
{
    /// <summary>PNG bytes of the plot (by default 1100×650 for two objectives, larger for a matrix).</summary>
    public static byte[] Render(FrontPlotData data, int? width = null, int? height = null) => Draw(data, width, height).Png;

    /// <summary>The plot with a description of its panels.</summary>
    public static FrontPlotImage Draw(FrontPlotData data, int? width = null, int? height = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Objectives.Count < 2) throw new ArgumentException("a front plot needs two objectives");
        return data.Objectives.Count == 2
            ? DrawTwo(data, width ?? 1100, height ?? 650)
            : ScatterMatrixPlot.Draw(data, width ?? ScatterMatrixPlot.DefaultWidth(data.Objectives.Count), height ?? ScatterMatrixPlot.DefaultHeight(data.Objectives.Count));
    }

    private static FrontPlotImage DrawTwo(FrontPlotData data, int width, int height)
    {
        BundledFont.Register();
        var plot = new Plot();
        try
        {
            plot.Font.Set(BundledFont.Name);
            plot.Title(data.Title);
            plot.XLabel(data.Objectives[0].Label);
            plot.YLabel(data.Objectives[1].Label);
            FrontLayers.AddBackground(plot, data, 0, 1, 1);
            var steps = ParetoStaircase.Through(data.Archive.Select(p => (p[0], p[1])), data.Objectives[0].Maximize, data.Objectives[1].Maximize);
            if (steps.Count > 1)
            {
                var line = plot.Add.ScatterLine(steps.Select(p => p.X).ToArray(), steps.Select(p => p.Y).ToArray(), FrontLayers.ArchiveColor);
                line.LineWidth = 1.5f;
            }
            FrontLayers.AddArchive(plot, data, 0, 1, 1);
            var limits = FrontLayers.SetLimits(plot, data, 0, 1);
            plot.ShowLegend(Edge.Right);
            byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
            return new FrontPlotImage(png, width, height, data.Title, [FrontLayers.Panel(plot, 0, 1, limits)]);
        }
        finally
        {
            plot.Dispose();
        }
    }
}
