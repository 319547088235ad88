using EvoMerge.Merging;
using EvoMerge.Merging.Sparsification;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class TiesMergeTests
{
    [Fact]
    public void Elects_the_sign_of_the_weighted_sum_and_averages_the_agreeing_models()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("ties")
            .Base(Tensors.Of(0, 0, 0, 0))
            .Model(Tensors.Of(1, -2, 3, 0), ("weight", 1))
            .Model(Tensors.Of(-2, 1, 1, 0), ("weight", 1))
            .Merge();
        // sums -1, -1, 4, 0 elect -, -, +, + (tie); agreeing means -2, -2, (3+1)/2, nothing.
        TensorAssert.Close([-2, -2, 2, 0], result);
    }

    [Fact]
    public void A_negative_weight_flips_that_models_vote()
    {
        using var scope = torch.NewDisposeScope();
        MergeCase Case(double secondWeight) => MergeCase.For("ties")
            .Base(Tensors.Of(0, 0))
            .Model(Tensors.Of(1, 1), ("weight", 1))
            .Model(Tensors.Of(2, -3), ("weight", secondWeight));
        // w2 = +1: weighted [1,1] and [2,-3]; sums 3, -2; element 0 mean of both, element 1 only model 2.
        TensorAssert.Close([1.5, -3], Case(1).Merge());
        // w2 = -1: weighted [1,1] and [-2,3]; sums -1, 4; element 0 only model 2: -2 / -1; element 1 both, divisor 0 → 1.
        TensorAssert.Close([2, 4], Case(-1).Merge());
    }

    [Fact]
    public void Trims_each_task_vector_to_its_density_before_the_election()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("ties")
            .Base(Tensors.Of(1, 1, 1, 1))
            .Model(Tensors.Of(5, 1.5f, 0, 1), ("weight", 1), ("density", 0.5))
            .Model(Tensors.Of(1, 1, 3, -1), ("weight", 1), ("density", 0.25))
            .Merge();
        // deltas [4, 0.5, -1, 0] → keeps 4 and -1; [0, 0, 2, -2] → keeps 2 (tie at index 2 beats index 3).
        TensorAssert.Close([5, 1, 3, 1], result);
    }

    [Fact]
    public void One_model_with_density_one_and_weight_one_is_that_model()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(11, torch.CPU);
        var b = Tensors.Random(generator, 16, 8);
        var x = Tensors.Random(generator, 16, 8);
        var result = MergeCase.For("ties").Base(b).Model(x, ("weight", 1)).Merge();
        TensorAssert.Close(x, result, 1e-6);
    }

    [Fact]
    public void Ties_among_magnitudes_keep_exactly_k_and_the_lower_indices()
    {
        using var scope = torch.NewDisposeScope();
        var trimmed = MagnitudeTrim.Apply(Tensors.Of(1, -1, 1, -1, 2, 2), 0.5);
        TensorAssert.Close([1, 0, 0, 0, 2, 2], trimmed);
    }

    [Fact]
    public void Density_one_is_the_identity_on_the_task_vector()
    {
        using var scope = torch.NewDisposeScope();
        var x = Tensors.Random(new torch.Generator(5, torch.CPU), 10, 3);
        TensorAssert.Equal(x, MagnitudeTrim.Apply(x, 1.0, rescale: true));
    }

    [Fact]
    public void A_density_below_one_element_keeps_the_largest_element()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("ties")
            .Base(Tensors.Of(0, 0, 0, 0, 0))
            .Model(Tensors.Of(1, -3, 2, 3, 0.5f), ("weight", 1), ("density", 0.1))
            .Merge();
        TensorAssert.Close([0, -3, 0, 0, 0], result);
    }

    [Fact]
    public void Density_zero_is_an_error_naming_tensor_and_model()
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("ties").Base(Tensors.Of(0, 0)).Model(Tensors.Of(1, 2), ("weight", 1), ("density", 0));
        var error = Assert.Throws<MergeException>(() => merge.Merge());
        Assert.Contains(merge.TensorName, error.Message);
        Assert.Contains("model1", error.Message);
    }

    [Fact]
    public void Rescale_restores_the_l1_norm_of_the_trimmed_task_vector()
    {
        using var scope = torch.NewDisposeScope();
        var x = Tensors.Random(new torch.Generator(9, torch.CPU), 1000);
        var trimmed = MagnitudeTrim.Apply(x, 0.2, rescale: true);
        Assert.Equal(200L, trimmed.count_nonzero().item<long>());
        Assert.Equal(L1Rescale.L1Norm(x), L1Rescale.L1Norm(trimmed), 1e-4 * L1Rescale.L1Norm(x));
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.1)]
    [InlineData(0.37)]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public void A_magnitude_order_gives_the_same_result_as_selection(double density)
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(13, torch.CPU);
        var b = Tensors.Random(generator, 40, 25);
        var x = b + torch.round(Tensors.Random(generator, 40, 25) * 3) / 4;
        var order = MagnitudeOrder.FromModel(x, b);

        MergeCase Case(MagnitudeOrder? magnitudes) => MergeCase.For("ties")
            .Base(b)
            .Model(x, magnitudes, ("weight", 0.7), ("density", density))
            .Model(b + 0.1f, ("weight", 0.3), ("density", density));

        TensorAssert.Equal(Case(null).Merge(), Case(order).Merge());
    }

    [Fact]
    public void A_magnitude_order_of_another_size_is_an_error()
    {
        using var scope = torch.NewDisposeScope();
        var order = MagnitudeOrder.FromTaskVector(Tensors.Of(1, 2, 3));
        var merge = MergeCase.For("ties").Base(Tensors.Of(0, 0)).Model(Tensors.Of(1, 2), order, ("weight", 1), ("density", 0.5));
        Assert.Throws<MergeException>(() => merge.Merge());
    }
}
