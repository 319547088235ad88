using EvoMerge.Merging.Sparsification;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class BreadcrumbsMergeTests
{
    /// <summary>20 elements whose magnitudes are 1..20 in a scrambled order, with mixed signs.</summary>
    private static readonly float[] Scrambled =
        [7, -15, 3, 20, -1, 12, -9, 18, 5, -14, 11, 2, -17, 8, 19, -4, 13, -6, 16, 10];

    [Fact]
    public void Worked_example_keeps_ascending_ranks_8_to_17()
    {
        using var scope = torch.NewDisposeScope();
        var result = MagnitudeOutliers.Apply(Tensors.Of(Scrambled), 0.5, 0.1);
        var expected = Scrambled.Select(v => Math.Abs(v) is >= 9 and <= 18 ? (double)v : 0).ToArray();
        TensorAssert.Close(expected, result);
        Assert.Equal((2L, 10L), MagnitudeOutliers.Ranks(0.5, 0.1, 20));
    }

    [Fact]
    public void Through_the_method_the_same_ranks_survive()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("breadcrumbs")
            .Base(torch.zeros(20))
            .Model(Tensors.Of(Scrambled), ("weight", 1), ("density", 0.5), ("gamma", 0.1))
            .Merge();
        Assert.Equal(10L, result.count_nonzero().ToInt64());
        Assert.Equal(18f, result.abs().max().ToSingle());
        Assert.Equal(9f, result.abs().masked_select(result.ne(0)).min().ToSingle());
    }

    [Fact]
    public void No_top_drop_when_gamma_rounds_to_zero_instead_of_zeroing_everything()
    {
        using var scope = torch.NewDisposeScope();
        // 20 elements at the default gamma 0.01: floor(0.2) = 0, mergekit would return all zeros.
        var result = MergeCase.For("breadcrumbs")
            .Base(torch.zeros(20))
            .Model(Tensors.Of(Scrambled), ("weight", 1), ("density", 0.5))
            .Merge();
        var expected = Scrambled.Select(v => Math.Abs(v) >= 11 ? (double)v : 0).ToArray();
        TensorAssert.Close(expected, result);
    }

    [Fact]
    public void When_density_and_gamma_exceed_one_the_top_drop_shrinks()
    {
        using var scope = torch.NewDisposeScope();
        // keep 16, top 8, bottom would be −4: drop only the 4 largest.
        Assert.Equal((4L, 16L), MagnitudeOutliers.Ranks(0.8, 0.4, 20));
        var result = MagnitudeOutliers.Apply(Tensors.Of(Scrambled), 0.8, 0.4);
        var expected = Scrambled.Select(v => Math.Abs(v) <= 16 ? (double)v : 0).ToArray();
        TensorAssert.Close(expected, result);
    }

    [Fact]
    public void Density_one_is_the_identity()
    {
        using var scope = torch.NewDisposeScope();
        TensorAssert.Equal(Tensors.Of(Scrambled), MagnitudeOutliers.Apply(Tensors.Of(Scrambled), 1.0, 0.1));
    }

    [Fact]
    public void Breadcrumbs_ties_adds_the_sign_election()
    {
        using var scope = torch.NewDisposeScope();
        MergeCase Case(string method) => MergeCase.For(method)
            .Base(Tensors.Of(0, 0))
            .Model(Tensors.Of(1, -2), ("weight", 1))
            .Model(Tensors.Of(-3, 1), ("weight", 1));
        TensorAssert.Close([-2, -1], Case("breadcrumbs").Merge());
        // sums −2, −1 elect −, −: only the negative deltas remain; no normalisation by default.
        TensorAssert.Close([-3, -2], Case("breadcrumbs_ties").Merge());
    }

    [Theory]
    [InlineData(0.3, 0.05)]
    [InlineData(0.6, 0.2)]
    public void A_magnitude_order_gives_the_same_result(double density, double gamma)
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(4, torch.CPU);
        var b = Tensors.Random(generator, 30, 30);
        var x = b + torch.round(Tensors.Random(generator, 30, 30) * 2) / 4;
        MergeCase Case(MagnitudeOrder? order) => MergeCase.For("breadcrumbs_ties")
            .Base(b).Model(x, order, ("weight", 1), ("density", density), ("gamma", gamma));
        TensorAssert.Equal(Case(null).Merge(), Case(MagnitudeOrder.FromModel(x, b)).Merge());
    }

    // mergekit's magnitude_outliers on δ = [1, 2] (n = 2, ascending order [0, 1]): a density ≤ 0 or a gamma < 0
    // leaves indices[n_bot:-n_top] empty (δ dropped); density 0.5, gamma 1.5 gives target 1, n_top = 3, n_bot = −2, so
    // n_top = 1, n_bot = 0 and indices[0:-1] = [0] keeps the smaller element.
    [Theory]
    [InlineData(-0.1, 0.01, 0f, 0f)]
    [InlineData(0.0, 0.5, 0f, 0f)]
    [InlineData(0.5, -0.01, 0f, 0f)]
    [InlineData(0.5, 1.5, 1f, 0f)]
    public void Density_and_gamma_outside_their_usual_ranges_merge_as_mergekits_slice_gives(double density, double gamma, float first, float second)
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("breadcrumbs").Base(Tensors.Of(0, 0)).Model(Tensors.Of(1, 2), ("weight", 1), ("density", density), ("gamma", gamma));
        TensorAssert.Equal(Tensors.Of(first, second), merge.Merge());
    }
}
