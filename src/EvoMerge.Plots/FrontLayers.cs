using EvoMerge.Search.Runs;
using ScottPlot;

namespace EvoMerge.Plots;

/// <summary>
/// The points of a front plot on one pair of objectives: every scored candidate as a faint grey dot, the base and
/// source models as open squares, the plain merges as open diamonds, and the archive members as OrangeRed dots on top.
/// </summary>
internal static class FrontLayers
{
    /// <summary>The archive members' colour.</summary>
    public static readonly Color ArchiveColor = Colors.OrangeRed;

    /// <summary>Colours of the reference models (Category10 without its orange and red, which the archive's OrangeRed resembles).</summary>
    private static readonly Color[] ReferenceColors =
        [.. new[] { "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#7f7f7f" }.Select(Color.FromHex)];

    /// <summary>Adds the evaluated candidates and the reference models, objective <paramref name="x"/> across and <paramref name="y"/> up, sized by <paramref name="scale"/>.</summary>
    public static void AddBackground(Plot plot, FrontPlotData data, int x, int y, float scale)
    {
        if (data.Evaluated.Count > 0)
        {
            var all = plot.Add.ScatterPoints(data.Evaluated.Select(p => p[x]).ToArray(), data.Evaluated.Select(p => p[y]).ToArray(), Colors.Gray.WithAlpha(0.35));
            all.MarkerSize = 5 * scale;
            all.LegendText = $"evaluated ({data.Evaluated.Count})";
        }
        int colour = 0;
        foreach (var (label, kind, objectives) in data.References)
        {
            var shape = kind == ReferenceKind.Baseline ? MarkerShape.OpenDiamond : MarkerShape.OpenSquare;
            var color = kind == ReferenceKind.Base ? Colors.Black : ReferenceColors[colour++ % ReferenceColors.Length];
            var marker = plot.Add.Marker(objectives[x], objectives[y], shape, 16 * scale, color);
            marker.MarkerLineWidth = 2.5f * scale;
            marker.LegendText = (kind == ReferenceKind.Baseline ? "plain merge: " : kind == ReferenceKind.Source ? "source: " : "") + label;
        }
    }

    /// <summary>Adds the archive members as dots (no line between them), objective <paramref name="x"/> across and <paramref name="y"/> up.</summary>
    public static void AddArchive(Plot plot, FrontPlotData data, int x, int y, float scale)
    {
        if (data.Archive.Count == 0) return;
        var members = plot.Add.ScatterPoints(data.Archive.Select(p => p[x]).ToArray(), data.Archive.Select(p => p[y]).ToArray(), ArchiveColor);
        members.MarkerSize = 10 * scale;
        members.LegendText = $"archive ({data.Archive.Count})";
    }

    /// <summary>Fixes the axis limits of objectives <paramref name="x"/> and <paramref name="y"/> (see <see cref="AxisRange"/>).</summary>
    public static (AxisRange X, AxisRange Y) SetLimits(Plot plot, FrontPlotData data, int x, int y)
    {
        var (rx, ry) = (AxisRange.Of(data, x), AxisRange.Of(data, y));
        plot.Axes.SetLimits(rx.Min, rx.Max, ry.Min, ry.Max);
        return (rx, ry);
    }

    /// <summary>The panel description of <paramref name="plot"/> after it rendered.</summary>
    public static FrontPlotPanel Panel(Plot plot, int x, int y, (AxisRange X, AxisRange Y) limits)
    {
        var area = plot.RenderManager.LastRender.DataRect;
        return new FrontPlotPanel(x, y, area.Left, area.Top, area.Right, area.Bottom, limits.X.Min, limits.X.Max, limits.Y.Min, limits.Y.Max);
    }
}
