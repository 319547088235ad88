using EvoMerge.Demo.Tables;
using EvoMerge.Tensors.Routed;
using Xunit;

namespace EvoMerge.Tests.Demo.Tables;

/// <summary>
/// The demo table's routed row is chosen on dev like every other row: the grid point with the best dev average, the
/// earlier (cheaper) one on a tie; hand-made dev averages, and the grid's order and blocks written out by hand.
/// </summary>
public class RoutedRowChoiceTests
{
    [Fact]
    public void The_best_dev_average_is_chosen()
    {
        Assert.Equal(2, RoutedRowChoice.Best([0.50, 0.55, 0.61, 0.60, 0.42]));
        Assert.Equal(0, RoutedRowChoice.Best([0.70, 0.55, 0.61]));
        Assert.Equal(4, RoutedRowChoice.Best([0.10, 0.20, 0.30, 0.40, 0.50]));
    }

    [Fact]
    public void A_tie_keeps_the_earlier_cheaper_point()
    {
        Assert.Equal(1, RoutedRowChoice.Best([0.40, 0.59, 0.59, 0.59]));
    }

    [Fact]
    public void An_empty_grid_is_refused()
    {
        Assert.Throws<ArgumentException>(() => RoutedRowChoice.Best([]));
    }

    [Fact]
    public void The_grid_runs_cheapest_first_with_hard_routing_before_mixing()
    {
        string[] labels = [.. RoutedGridPoint.Grid(3).Select(p => p.Label)];
        Assert.Equal(
        [
            "r=8 top-1", "r=8 top-3 T=0.1", "r=8 top-3 T=1.0",
            "r=32 top-1", "r=32 top-3 T=0.1", "r=32 top-3 T=1.0",
            "r=full top-1", "r=full top-3 T=0.1", "r=full top-3 T=1.0",
        ], labels);
        Assert.Equal(["r=8 top-1", "r=32 top-1", "r=full top-1"], RoutedGridPoint.Grid(1).Select(p => p.Label));
    }

    [Fact]
    public void A_full_rank_point_keeps_all_the_energy_and_routes_sequences_from_layer_0()
    {
        var block = new RoutedGridPoint(null, 3, 0.1).Block(["addition", "reversal", "capitals"]);
        Assert.Null(block.Rank);
        Assert.Equal(1.0, block.Energy);
        Assert.Equal(3, block.Experts);
        Assert.Equal(0, block.RouterLayer);
        Assert.Equal(RoutingGranularity.Sequence, block.Granularity);
        Assert.Equal(3, block.TopK);
        Assert.Equal(0.1, block.Temperature);
        var ranked = new RoutedGridPoint(8, 1, 1.0).Block(["a", "b"]);
        Assert.Equal(8, ranked.Rank);
        Assert.Null(ranked.Energy);
    }
}
