using EvoMerge.Plots;
using EvoMerge.Search.Runs;
using SkiaSharp;
using Xunit;

namespace EvoMerge.Tests.Plots;

/// <summary>
/// The front plot's shape, checked from the outside: the step line of two objectives and the scatter matrix of three,
/// with axis limits, panel rectangles and pixel positions worked out by hand.
/// </summary>
public class ParetoFrontPlotTests
{
    /// <summary>ScottPlot's OrangeRed, the archive members' colour.</summary>
    private static readonly SKColor ArchiveColor = new(0xFF, 0x45, 0x00);

    private static FrontAxis Higher(string name) => new(name, "acc, higher is better", true);

    [Fact]
    public void TheStaircaseTurnsAtTheWorseValueOfEachNeighbour()
    {
        (double, double)[] front = [(0.9, 0.2), (0.1, 0.9), (0.5, 0.6)];
        // Both maximised: from (0.1, 0.9) down to (0.1, 0.6), across to (0.5, 0.6), down to (0.5, 0.2), across to (0.9, 0.2).
        Assert.Equal([(0.1, 0.9), (0.1, 0.6), (0.5, 0.6), (0.5, 0.2), (0.9, 0.2)], ParetoStaircase.Through(front, true, true));
        // Both minimised (a front of losses): across first, at the higher y, then down.
        Assert.Equal([(0.1, 0.9), (0.5, 0.9), (0.5, 0.6), (0.9, 0.6), (0.9, 0.2)], ParetoStaircase.Through(front, false, false));
        Assert.Empty(ParetoStaircase.Through([], true, true));
        Assert.Equal([(0.3, 0.3)], ParetoStaircase.Through([(0.3, 0.3)], true, true));
    }

    [Fact]
    public void TwoObjectivesDrawTheFrontAsAStepLineThroughTheCornersNotTheDiagonals()
    {
        var data = new FrontPlotData([Higher("a"), Higher("b")], [], [[0.1, 0.9], [0.5, 0.6], [0.9, 0.2]], [], 4);
        var image = ParetoFrontPlot.Draw(data, 800, 600);
        Assert.Equal((800, 600), PngImage.Header(image.Png));
        Assert.Equal("Pareto front after generation 4", image.Title);
        var panel = Assert.Single(image.Panels);
        Assert.Equal((0, 1), (panel.XObjective, panel.YObjective));
        // x spans 0.1..0.9 (0.8, padded by 0.04), y 0.2..0.9 (0.7, padded by 0.035).
        Assert.Equal(0.06, panel.XMin, 9);
        Assert.Equal(0.94, panel.XMax, 9);
        Assert.Equal(0.165, panel.YMin, 9);
        Assert.Equal(0.935, panel.YMax, 9);
        Assert.True(panel.Left > 0 && panel.Right < 800 && panel.Top > 0 && panel.Bottom < 600 && panel.Right - panel.Left > 300 && panel.Bottom - panel.Top > 300, $"{panel}");

        using var bitmap = SKBitmap.Decode(image.Png);
        foreach (var (x, y) in new[] { (0.1, 0.9), (0.5, 0.6), (0.9, 0.2) })
            Assert.True(Near(bitmap, panel, x, y, ArchiveColor), $"member ({x}, {y}) is drawn");
        foreach (var (x, y) in new[] { (0.1, 0.6), (0.5, 0.2), (0.1, 0.75), (0.3, 0.6), (0.5, 0.4), (0.7, 0.2) })
            Assert.True(Near(bitmap, panel, x, y, ArchiveColor), $"the step line passes ({x}, {y})");
        foreach (var (x, y) in new[] { (0.3, 0.75), (0.7, 0.4) })
            Assert.False(Near(bitmap, panel, x, y, ArchiveColor), $"no diagonal through ({x}, {y})");
    }

    [Fact]
    public void ThreeObjectivesDrawAScatterMatrixOfEveryPairWithTheMembersWhereTheyBelong()
    {
        double[][] archive = [[0.2, 0.8, 0.5], [0.8, 0.2, 0.1], [0.5, 0.5, 0.9]];
        var data = new FrontPlotData([Higher("a"), Higher("b"), Higher("c")], [[0, 0, 0], [1, 1, 1]], archive,
            [("base (base)", ReferenceKind.Base, [0.1, 0.1, 0.1])], 12);
        var image = ParetoFrontPlot.Draw(data);
        // Three cells of 300 px each way, a 260 px legend column and a 50 px title strip.
        Assert.Equal((1160, 950), PngImage.Header(image.Png));
        Assert.Equal("Pareto front after generation 12", image.Title);
        Assert.Equal(6, image.Panels.Count); // k×(k−1)
        Assert.Equal([(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)], image.Panels.Select(p => (p.XObjective, p.YObjective)).Order());

        using var bitmap = SKBitmap.Decode(image.Png);
        foreach (var panel in image.Panels)
        {
            // Row = the y objective, column = the x objective; inside each 300 px cell the data area is inset 60 left, 12 right, 12 top, 45 bottom.
            Assert.Equal((panel.XObjective * 300 + 60f, panel.XObjective * 300 + 288f), (panel.Left, panel.Right));
            Assert.Equal((50 + panel.YObjective * 300 + 12f, 50 + panel.YObjective * 300 + 255f), (panel.Top, panel.Bottom));
            // Every objective spans 0..1 (the evaluated corners), padded by 0.05.
            Assert.Equal((-0.05, 1.05), (Math.Round(panel.XMin, 9), Math.Round(panel.XMax, 9)));
            Assert.Equal((-0.05, 1.05), (Math.Round(panel.YMin, 9), Math.Round(panel.YMax, 9)));
            foreach (var member in archive)
                Assert.True(Near(bitmap, panel, member[panel.XObjective], member[panel.YObjective], ArchiveColor),
                    $"member ({string.Join(", ", member)}) is drawn in panel {panel.XObjective}/{panel.YObjective}");
        }
        // No line joins the members: halfway between the first two in the (a, c) panel lies nothing.
        var ac = image.Panels.Single(p => (p.XObjective, p.YObjective) == (0, 2));
        Assert.False(Near(bitmap, ac, 0.5, 0.3, ArchiveColor), "no line between members");
        Assert.True(Dark(bitmap, 100, 0, 800, 50) > 50, "the title is drawn");
        Assert.True(Dark(bitmap, 300, 350, 600, 650) > 50, "the diagonal cell names objective b");
    }

    /// <summary>Whether a pixel within 2 px of data point (x, y), mapped by hand onto the panel's rectangle, has colour <paramref name="color"/>.</summary>
    private static bool Near(SKBitmap bitmap, FrontPlotPanel panel, double x, double y, SKColor color)
    {
        double px = panel.Left + (x - panel.XMin) / (panel.XMax - panel.XMin) * (panel.Right - panel.Left);
        double py = panel.Bottom - (y - panel.YMin) / (panel.YMax - panel.YMin) * (panel.Bottom - panel.Top);
        for (int dx = -2; dx <= 2; dx++)
        {
            for (int dy = -2; dy <= 2; dy++)
            {
                var pixel = bitmap.GetPixel((int)Math.Round(px) + dx, (int)Math.Round(py) + dy);
                if (Math.Abs(pixel.Red - color.Red) <= 40 && Math.Abs(pixel.Green - color.Green) <= 40 && Math.Abs(pixel.Blue - color.Blue) <= 40) return true;
            }
        }
        return false;
    }

    /// <summary>Pixels darker than mid-grey in the rectangle [left, right) × [top, bottom).</summary>
    private static int Dark(SKBitmap bitmap, int left, int top, int right, int bottom)
    {
        int count = 0;
        for (int x = left; x < right; x++)
        {
            for (int y = top; y < bottom; y++)
            {
                var p = bitmap.GetPixel(x, y);
                if (p.Red + p.Green + p.Blue < 3 * 100) count++;
            }
        }
        return count;
    }
}
