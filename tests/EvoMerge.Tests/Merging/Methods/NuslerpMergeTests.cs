using EvoMerge.Merging;
using EvoMerge.Merging.Methods;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class NuslerpMergeTests
{
    private static readonly double H = Math.Sqrt(0.5);

    [Fact]
    public void Equal_weights_slerp_halfway()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("nuslerp").Model(Tensors.Of(1, 0), ("weight", 1)).Model(Tensors.Of(0, 1), ("weight", 1)).Merge();
        TensorAssert.Close([H, H], result);
    }

    [Fact]
    public void Flattened_equals_textbook_slerp_with_t_from_the_weights()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(4, torch.CPU);
        var x1 = Tensors.Random(generator, 6, 5);
        var x2 = Tensors.Random(generator, 6, 5);
        var result = MergeCase.For("nuslerp").Model(x1, ("weight", 1)).Model(x2, ("weight", 3)).Merge();
        TensorAssert.Close(SlerpMerge.Interpolate(x1, x2, 0.75), result, 1e-5);
    }

    [Fact]
    public void Weights_summing_to_zero_use_t_one_half()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("nuslerp").Model(Tensors.Of(1, 0), ("weight", 2)).Model(Tensors.Of(0, 1), ("weight", -2)).Merge();
        TensorAssert.Close([H, H], result);
    }

    [Fact]
    public void With_a_base_slerps_the_task_vectors()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("nuslerp")
            .Base(Tensors.Of(1, 1))
            .Model(Tensors.Of(2, 1), ("weight", 1))
            .Model(Tensors.Of(1, 2), ("weight", 1))
            .Merge();
        TensorAssert.Close([1 + H, 1 + H], result);
    }

    [Fact]
    public void Rows_columns_and_whole_tensor_give_their_own_angles()
    {
        using var scope = torch.NewDisposeScope();
        var v0 = Tensors.Of([1, 0, 1, 0], 2, 2);
        var v1 = Tensors.Of([0, 1, 1, 0], 2, 2);
        MergeCase Case(bool rowWise, bool flatten) => MergeCase.For("nuslerp")
            .Model(v0, ("weight", 1)).Model(v1, ("weight", 1))
            .Global(("nuslerp_row_wise", rowWise ? 1 : 0), ("nuslerp_flatten", flatten ? 1 : 0));

        // Vectors along the last dimension: row 0 orthogonal (slerp), row 1 parallel (lerp).
        TensorAssert.Close([H, H, 1, 0], Case(rowWise: false, flatten: false).Merge());
        // Vectors along the first dimension: column 0 [1,1]→[0,1] at 45°, column 1 zero→[1,0] at 90°.
        double c = Math.Sin(Math.PI / 8) / Math.Sin(Math.PI / 4);
        TensorAssert.Close([c, H, 2 * c, 0], Case(rowWise: true, flatten: false).Merge(), 1e-5);
        // One vector: cos 0.5, θ = π/3.
        double f = Math.Sin(Math.PI / 6) / Math.Sin(Math.PI / 3);
        TensorAssert.Close([f, f, 2 * f, 0], Case(rowWise: false, flatten: true).Merge(), 1e-5);
    }

    [Fact]
    public void Needs_exactly_two_models()
    {
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<MergeException>(() => MergeCase.For("nuslerp").Base(Tensors.Of(0)).Model(Tensors.Of(1), ("weight", 1)).Merge());
        Assert.Contains("exactly two", error.Message);
    }
}
