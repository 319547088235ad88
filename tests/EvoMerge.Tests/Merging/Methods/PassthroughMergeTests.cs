using EvoMerge.Merging;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class PassthroughMergeTests
{
    [Fact]
    public void Copies_the_single_input()
    {
        using var scope = torch.NewDisposeScope();
        var x = Tensors.Of(1, -2, 3);
        var result = MergeCase.For("passthrough").Model(x).Merge();
        TensorAssert.Equal(x, result);
        result.add_(1);
        TensorAssert.Close([1, -2, 3], x);
    }

    [Fact]
    public void Scales_when_scale_is_set()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("passthrough").Model(Tensors.Of(1, -2, 3), ("scale", 0.5)).Merge();
        TensorAssert.Close([0.5, -1, 1.5], result);
    }

    [Fact]
    public void More_than_one_input_is_an_error()
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("passthrough").Base(Tensors.Of(1)).Model(Tensors.Of(2));
        var error = Assert.Throws<MergeException>(() => merge.Merge());
        Assert.Contains("exactly one", error.Message);
    }
}
