using EvoMerge.Merging;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class MultislerpMergeTests
{
    private static readonly double H = Math.Sqrt(0.5);

    [Fact]
    public void Two_equal_weights_point_at_the_normalised_midpoint_with_the_mean_norm()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("multislerp").Model(Tensors.Of(1, 0), ("weight", 1)).Model(Tensors.Of(0, 2), ("weight", 1)).Merge();
        TensorAssert.Close([1.5 * H, 1.5 * H], result, 1e-6);
    }

    [Fact]
    public void Unequal_weights_point_at_the_normalised_weighted_mean_of_directions()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("multislerp").Model(Tensors.Of(1, 0), ("weight", 3)).Model(Tensors.Of(0, 1), ("weight", 1)).Merge();
        double norm = Math.Sqrt(0.75 * 0.75 + 0.25 * 0.25);
        TensorAssert.Close([0.75 / norm, 0.25 / norm], result, 1e-6);
    }

    [Fact]
    public void With_a_base_works_on_task_vectors()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("multislerp")
            .Base(Tensors.Of(1, 1))
            .Model(Tensors.Of(2, 1), ("weight", 1))
            .Model(Tensors.Of(1, 3), ("weight", 1))
            .Merge();
        TensorAssert.Close([1 + 1.5 * H, 1 + 1.5 * H], result, 1e-6);
    }

    [Fact]
    public void Two_cancelling_directions_fall_back_to_the_weighted_sum()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("multislerp").Model(Tensors.Of(1, 0), ("weight", 1)).Model(Tensors.Of(-2, 0), ("weight", 1)).Merge();
        TensorAssert.Close([-0.5, 0], result);
    }

    [Fact]
    public void Three_cancelling_directions_are_an_error()
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("multislerp")
            .Model(Tensors.Of(1, 0), ("weight", 1))
            .Model(Tensors.Of(-1, 0), ("weight", 1))
            .Model(Tensors.Of(0, 0), ("weight", 1));
        Assert.Contains(merge.TensorName, Assert.Throws<MergeException>(() => merge.Merge()).Message);
    }

    [Fact]
    public void Weights_summing_to_zero_are_an_error_when_normalised()
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("multislerp").Model(Tensors.Of(1, 0), ("weight", 1)).Model(Tensors.Of(0, 1), ("weight", -1));
        Assert.Throws<MergeException>(() => merge.Merge());
    }
}
