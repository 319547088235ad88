using EvoMerge.Merging;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class NearswapMergeTests
{
    [Fact]
    public void Reference_example_weights_are_1_1_0_1_0_01()
    {
        using var scope = torch.NewDisposeScope();
        var b = Tensors.Of(1, -1, 2, 0);
        var x = b + Tensors.Of(0.001f, 0.01f, 0.1f, 1);
        var result = MergeCase.For("nearswap").Base(b).Model(x).Global(("t", 0.01)).Merge();
        double[] weights = [1, 1, 0.1, 0.01];
        double[] diff = [0.001, 0.01, 0.1, 1];
        double[] baseValues = [1, -1, 2, 0];
        TensorAssert.Close(baseValues.Select((v, i) => v + weights[i] * diff[i]).ToArray(), result, 1e-5);
    }

    [Fact]
    public void Identical_inputs_stay_unchanged()
    {
        using var scope = torch.NewDisposeScope();
        var x = Tensors.Of(3, -2, 0);
        TensorAssert.Close([3, -2, 0], MergeCase.For("nearswap").Base(x).Model(x.clone()).Global(("t", 0.5)).Merge());
    }

    [Fact]
    public void Needs_t()
    {
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<MergeException>(() => MergeCase.For("nearswap").Base(Tensors.Of(0)).Model(Tensors.Of(1)).Merge());
        Assert.Contains("'t'", error.Message);
    }
}
