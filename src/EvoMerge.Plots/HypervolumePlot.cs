using EvoMerge.Search.Runs;
using ScottPlot;

namespace EvoMerge.Plots;

/// <summary>Renders the archive's exact hypervolume after each generation (against the run's fixed reference point) as a PNG.</summary>
public static class HypervolumePlot
{
    /// <summary>PNG bytes of the plot.</summary>
    public static byte[] Render(IReadOnlyList<GenerationStatistics> statistics, int width = 900, int height = 500)
    {
        BundledFont.Register();
        var plot = new Plot();
        try
        {
            plot.Font.Set(BundledFont.Name);
            plot.Title("Hypervolume of the Pareto archive");
            plot.XLabel("generation");
            plot.YLabel("hypervolume");
            if (statistics.Count > 0)
            {
                var line = plot.Add.Scatter(statistics.Select(s => (double)s.Generation).ToArray(), statistics.Select(s => s.Hypervolume).ToArray(), Colors.SteelBlue);
                line.LineWidth = 2;
                line.MarkerSize = 6;
            }
            return plot.GetImageBytes(width, height, ImageFormat.Png);
        }
        finally
        {
            plot.Dispose();
        }
    }
}
