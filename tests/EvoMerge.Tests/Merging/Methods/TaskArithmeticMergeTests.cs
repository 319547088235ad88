using EvoMerge.Merging;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class TaskArithmeticMergeTests
{
    private static MergeCase Case() => MergeCase.For("task_arithmetic")
        .Base(Tensors.Of(1, 1, 1))
        .Model(Tensors.Of(2, 0, 1), ("weight", 1.0))
        .Model(Tensors.Of(1, 3, 1), ("weight", 0.5));

    [Fact]
    public void Adds_the_weighted_task_vectors_to_the_base()
    {
        using var scope = torch.NewDisposeScope();
        TensorAssert.Close([2, 1, 1], Case().Merge());
    }

    [Fact]
    public void Lambda_scales_the_merged_delta()
    {
        using var scope = torch.NewDisposeScope();
        TensorAssert.Close([3, 1, 1], Case().Global(("lambda", 2)).Merge());
    }

    [Fact]
    public void Normalize_divides_by_the_weight_sum_before_lambda()
    {
        using var scope = torch.NewDisposeScope();
        TensorAssert.Close([1 + 2 / 1.5, 1, 1], Case().Global(("normalize", 1), ("lambda", 2)).Merge());
    }

    [Fact]
    public void Weight_zero_returns_the_base()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(3, torch.CPU);
        var b = Tensors.Random(generator, 6, 4);
        var result = MergeCase.For("task_arithmetic").Base(b).Model(Tensors.Random(generator, 6, 4), ("weight", 0)).Merge();
        TensorAssert.Equal(b, result);
    }

    [Fact]
    public void Weights_summing_to_zero_with_normalize_divide_by_one()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("task_arithmetic")
            .Base(Tensors.Of(0, 0))
            .Model(Tensors.Of(1, 2), ("weight", 1))
            .Model(Tensors.Of(3, 1), ("weight", -1))
            .Global(("normalize", 1))
            .Merge();
        TensorAssert.Close([-2, 1], result);
    }

    [Fact]
    public void Needs_a_base_model()
    {
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<MergeException>(() => MergeCase.For("task_arithmetic").Model(Tensors.Of(1), ("weight", 1)).Merge());
        Assert.Contains("base_model", error.Message);
    }

    [Fact]
    public void A_model_with_another_shape_is_an_error_not_a_silent_skip()
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("task_arithmetic").Base(torch.zeros(4, 2)).Model(torch.zeros(4, 3), ("weight", 1));
        var error = Assert.Throws<MergeException>(() => merge.Merge());
        Assert.Contains(merge.TensorName, error.Message);
        Assert.Contains("[4, 2]", error.Message);
        Assert.Contains("[4, 3]", error.Message);
    }

    [Fact]
    public void A_larger_embedding_is_cut_to_the_base_rows()
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("task_arithmetic")
            .Base(Tensors.Of([1, 1, 1, 1], 2, 2))
            .Model(Tensors.Of([2, 2, 2, 2, 9, 9], 3, 2), ("weight", 1));
        merge.IsEmbedding = true;
        var result = merge.Merge();
        Assert.Equal([2L, 2L], result.shape);
        TensorAssert.Close([2, 2, 2, 2], result);
    }

    [Fact]
    public void Without_other_models_returns_the_base()
    {
        using var scope = torch.NewDisposeScope();
        TensorAssert.Equal(Tensors.Of(4, 5), MergeCase.For("task_arithmetic").Base(Tensors.Of(4, 5)).Merge());
    }
}
