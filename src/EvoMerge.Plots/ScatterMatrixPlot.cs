using ScottPlot;
using SkiaSharp;

namespace EvoMerge.Plots;

/// <summary>
/// The Pareto front of three or more objectives as a scatter matrix: a k×k grid whose cell in row i, column j
/// (i ≠ j) plots objective j across and objective i up, k×(k−1) panels in all, and whose diagonal cells name the
/// objectives; the title spans the top and the legend fills a column on the right. Archive members are dots with
/// no line between them.
/// </summary>
public static class ScatterMatrixPlot
{
    /// <summary>Height of the title strip, in pixels.</summary>
    public const int TitleHeight = 50;

    /// <summary>Width of the legend column, in pixels.</summary>
    public const int LegendWidth = 260;

    private const int Cell = 300;

    /// <summary>The default image width for <paramref name="objectives"/> objectives.</summary>
    public static int DefaultWidth(int objectives) => objectives * Cell + LegendWidth;

    /// <summary>The default image height for <paramref name="objectives"/> objectives.</summary>
    public static int DefaultHeight(int objectives) => objectives * Cell + TitleHeight;

    /// <summary>The plot of <paramref name="data"/> (three or more objectives) with a description of its panels.</summary>
    public static FrontPlotImage Draw(FrontPlotData data, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(data);
        int k = data.Objectives.Count;
        BundledFont.Register();
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"cannot create a {width}×{height} drawing surface");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var bold = BundledFont.Typeface(bold: true);
        using var regular = BundledFont.Typeface(bold: false);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using (var titleFont = new SKFont(bold, 20))
            canvas.DrawText(data.Title, (width - LegendWidth) / 2f, TitleHeight * 0.65f, SKTextAlign.Center, titleFont, ink);

        float cellWidth = (float)(width - LegendWidth) / k, cellHeight = (float)(height - TitleHeight) / k;
        var panels = new List<FrontPlotPanel>(k * (k - 1));
        using var nameFont = new SKFont(bold, 16);
        using var descriptionFont = new SKFont(regular, 12);
        for (int row = 0; row < k; row++)
        {
            for (int column = 0; column < k; column++)
            {
                float left = column * cellWidth, top = TitleHeight + row * cellHeight;
                if (row == column)
                {
                    float cx = left + cellWidth / 2, cy = top + cellHeight / 2;
                    canvas.DrawText(data.Objectives[row].Name, cx, cy, SKTextAlign.Center, nameFont, ink);
                    canvas.DrawText(data.Objectives[row].Description, cx, cy + 20, SKTextAlign.Center, descriptionFont, ink);
                    continue;
                }
                panels.Add(DrawPanel(canvas, data, column, row, new PixelRect(left, left + cellWidth, top + cellHeight, top)));
            }
        }
        DrawLegend(canvas, data, new PixelRect(width - LegendWidth, width, height, TitleHeight));
        using var image = surface.Snapshot();
        using var encoded = image.Encode(SKEncodedImageFormat.Png, 100);
        return new FrontPlotImage(encoded.ToArray(), width, height, data.Title, panels);
    }

    private static FrontPlotPanel DrawPanel(SKCanvas canvas, FrontPlotData data, int x, int y, PixelRect cell)
    {
        using var plot = new Plot();
        plot.Font.Set(BundledFont.Name);
        plot.Layout.Fixed(new PixelPadding(60, 12, 45, 12));
        plot.XLabel(data.Objectives[x].Name, 13);
        plot.YLabel(data.Objectives[y].Name, 13);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 10;
        plot.Axes.Left.TickLabelStyle.FontSize = 10;
        FrontLayers.AddBackground(plot, data, x, y, 0.6f);
        FrontLayers.AddArchive(plot, data, x, y, 0.8f);
        var limits = FrontLayers.SetLimits(plot, data, x, y);
        plot.HideLegend();
        RenderClipped(plot, canvas, cell);
        return FrontLayers.Panel(plot, x, y, limits);
    }

    /// <summary>Renders <paramref name="plot"/> into <paramref name="area"/> only (a plot clears the whole canvas it is given).</summary>
    private static void RenderClipped(Plot plot, SKCanvas canvas, PixelRect area)
    {
        canvas.Save();
        canvas.ClipRect(new SKRect(area.Left, area.Top, area.Right, area.Bottom));
        plot.Render(canvas, area);
        canvas.Restore();
    }

    /// <summary>The legend alone: the same series, placed outside fixed limits so only their legend entries show.</summary>
    private static void DrawLegend(SKCanvas canvas, FrontPlotData data, PixelRect column)
    {
        var offside = new FrontPlotData(
            data.Objectives,
            [.. data.Evaluated.Select(Offside)],
            [.. data.Archive.Select(Offside)],
            [.. data.References.Select(r => (r.Label, r.Kind, Offside(r.Objectives)))],
            data.Generation);
        using var plot = new Plot();
        plot.Font.Set(BundledFont.Name);
        plot.Layout.Fixed(new PixelPadding(0, 0, 0, 0));
        FrontLayers.AddBackground(plot, offside, 0, 1, 1);
        FrontLayers.AddArchive(plot, offside, 0, 1, 1);
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.HideAxesAndGrid();
        plot.ShowLegend(Alignment.UpperLeft);
        RenderClipped(plot, canvas, column);

        static double[] Offside(double[] values) => [.. values.Select(_ => -1000.0)];
    }
}
