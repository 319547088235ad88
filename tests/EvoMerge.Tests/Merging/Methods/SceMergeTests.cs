using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class SceMergeTests
{
    private static MergeCase Case() => MergeCase.For("sce")
        .Base(Tensors.Of(0, 0, 0))
        .Model(Tensors.Of(1, 2, -1))
        .Model(Tensors.Of(3, -2, -1));

    [Fact]
    public void Weights_models_by_mean_square_and_averages_the_agreeing_ones()
    {
        using var scope = torch.NewDisposeScope();
        // Mean squares 2 and 14/3 → weights 0.3 and 0.7; sums 4, 0 (tie → +), −2.
        TensorAssert.Close([0.3 * 1 + 0.7 * 3, 2, -1], Case().Merge(), 1e-6);
    }

    [Fact]
    public void Select_topk_keeps_only_the_highest_variance_positions()
    {
        using var scope = torch.NewDisposeScope();
        // Variances 1, 4, 0: two non-zero, k = floor(2·0.5) = 1 keeps position 1 only.
        TensorAssert.Close([0, 2, 0], Case().Global(("select_topk", 0.5)).Merge(), 1e-6);
    }

    [Fact]
    public void Select_topk_rounding_to_nothing_returns_the_base()
    {
        using var scope = torch.NewDisposeScope();
        TensorAssert.Close([0, 0, 0], Case().Global(("select_topk", 0.1)).Merge());
    }
}
