using EvoMerge.Merging;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class SlerpMergeTests
{
    private static torch.Tensor Slerp(torch.Tensor v0, torch.Tensor v1, double t) =>
        MergeCase.For("slerp").Base(v0).Model(v1).Global(("t", t)).Merge();

    [Fact]
    public void T_zero_is_the_base_and_t_one_the_other_model()
    {
        using var scope = torch.NewDisposeScope();
        TensorAssert.Close([1, 2, 0], Slerp(Tensors.Of(1, 2, 0), Tensors.Of(0, 1, 3), 0), 1e-6);
        TensorAssert.Close([0, 1, 3], Slerp(Tensors.Of(1, 2, 0), Tensors.Of(0, 1, 3), 1), 1e-6);
    }

    [Fact]
    public void Interpolates_the_angle_and_the_norms()
    {
        using var scope = torch.NewDisposeScope();
        double h = Math.Sqrt(0.5);
        TensorAssert.Close([h, h], Slerp(Tensors.Of(1, 0), Tensors.Of(0, 1), 0.5));
        // θ = π/2, coefficients sin(π/4) on the unnormalised tensors.
        TensorAssert.Close([2 * h, h], Slerp(Tensors.Of(2, 0), Tensors.Of(0, 1), 0.5));
        // θ = π/3, both coefficients sin(π/6)/sin(π/3).
        double c = 0.5 / Math.Sin(Math.PI / 3);
        TensorAssert.Close([c * (1 + 1.5), c * 3 * Math.Sin(Math.PI / 3)],
            Slerp(Tensors.Of(1, 0), Tensors.Of(1.5f, 3 * (float)Math.Sin(Math.PI / 3)), 0.5), 1e-5);
    }

    [Fact]
    public void Near_parallel_tensors_are_lerped()
    {
        using var scope = torch.NewDisposeScope();
        TensorAssert.Close([1, 0.003], Slerp(Tensors.Of(1, 0), Tensors.Of(1, 0.01f), 0.3));
    }

    [Fact]
    public void Anti_parallel_tensors_are_lerped()
    {
        using var scope = torch.NewDisposeScope();
        // v1 = −2·v0 gives (1 − 3t)·v0.
        TensorAssert.Close([0.25, 0.5], Slerp(Tensors.Of(1, 2), Tensors.Of(-2, -4), 0.25));
    }

    [Fact]
    public void A_zero_tensor_gives_sine_weighting_not_a_lerp()
    {
        using var scope = torch.NewDisposeScope();
        double s = Math.Sin(Math.PI / 4);
        TensorAssert.Close([3 * s, 4 * s], Slerp(Tensors.Of(0, 0), Tensors.Of(3, 4), 0.5), 1e-6);
        double r = Math.Sin(Math.PI / 3);
        TensorAssert.Close([3 * r, 4 * r], Slerp(Tensors.Of(3, 4), Tensors.Of(0, 0), 1.0 / 3), 1e-6);
    }

    [Fact]
    public void Keeps_the_shape_and_the_base_dtype()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(2, torch.CPU);
        var v0 = Tensors.Random(generator, 4, 3).to(torch.ScalarType.BFloat16);
        var v1 = Tensors.Random(generator, 4, 3).to(torch.ScalarType.BFloat16);
        var result = Slerp(v0, v1, 0.4);
        Assert.Equal(torch.ScalarType.BFloat16, result.dtype);
        Assert.Equal([4L, 3L], result.shape);
    }

    [Fact]
    public void Needs_exactly_one_other_model_and_t()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<MergeException>(() => MergeCase.For("slerp").Base(Tensors.Of(1)).Model(Tensors.Of(2)).Model(Tensors.Of(3)).Global(("t", 0.5)).Merge());
        Assert.Throws<MergeException>(() => MergeCase.For("slerp").Base(Tensors.Of(1)).Model(Tensors.Of(2)).Merge());
    }
}
