using EvoMerge.Merging;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class ModelStockMergeTests
{
    [Fact]
    public void Reference_example_mean_cosine_0_333308_with_three_models_gives_t_0_599973()
    {
        using var scope = torch.NewDisposeScope();
        const double c = 0.333308;
        double a = Math.Sqrt(1 - c), s = Math.Sqrt(c);
        // Unit offsets with every pairwise cosine equal to c, scaled differently (cosines ignore scale).
        double[][] offsets = [[a, 0, 0, s], [0, a, 0, s], [0, 0, a, s]];
        double[] scales = [1.0, 2.5, 0.4];
        double[] b = [0.5, -1, 2, 0.25];
        var merge = MergeCase.For("model_stock").Base(Tensors.Of(b.Select(v => (float)v).ToArray()));
        var models = offsets.Select((o, i) => b.Select((v, j) => v + scales[i] * o[j]).ToArray()).ToArray();
        foreach (var m in models)
            merge.Model(Tensors.Of(m.Select(v => (float)v).ToArray()));

        double t = 3 * c / (1 + 2 * c);
        Assert.Equal(0.599973, t, 6);
        var expected = b.Select((v, j) => t * models.Average(m => m[j]) + (1 - t) * v).ToArray();
        TensorAssert.Close(expected, merge.Merge(), 1e-5);
    }

    [Fact]
    public void Orthogonal_task_vectors_give_the_base()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("model_stock").Base(Tensors.Of(1, 1)).Model(Tensors.Of(2, 1)).Model(Tensors.Of(1, 3)).Merge();
        TensorAssert.Close([1, 1], result);
    }

    [Fact]
    public void Filter_wise_gives_each_row_its_own_ratio()
    {
        using var scope = torch.NewDisposeScope();
        // Row 0: parallel offsets (c = 1, t = 1, the mean); row 1: orthogonal offsets (c = 0, t = 0, the base).
        var result = MergeCase.For("model_stock")
            .Base(torch.zeros(2, 2))
            .Model(Tensors.Of([1, 1, 1, 0], 2, 2))
            .Model(Tensors.Of([3, 3, 0, 1], 2, 2))
            .Global(("filter_wise", 1))
            .Merge();
        TensorAssert.Close([2, 2, 0, 0], result, 1e-6);
    }

    [Fact]
    public void Filter_wise_on_a_3_d_tensor_takes_one_ratio_per_vector_of_the_last_dimension()
    {
        using var scope = torch.NewDisposeScope();
        // mergekit's norms and sums run over dim -1. Shape [1, 2, 2]: vector (0, 0): offsets (1, 0) and (1, 0), c = 1,
        // t = 2·1/(1 + 1) = 1, the mean (1, 0); vector (0, 1): offsets (1, 0) and (0, 1), c = 0, t = 0, the base (0, 0).
        // (Per first-dimension row the cosine of (1, 0, 1, 0) and (1, 0, 0, 1) is 0.5 and t = 2/3.)
        var result = MergeCase.For("model_stock")
            .Base(torch.zeros(1, 2, 2))
            .Model(Tensors.Of([1, 0, 1, 0], 1, 2, 2))
            .Model(Tensors.Of([1, 0, 0, 1], 1, 2, 2))
            .Global(("filter_wise", 1))
            .Merge();
        Assert.Equal([1L, 2, 2], result.shape);
        TensorAssert.Close([1, 0, 0, 0], result, 1e-6);
    }

    [Fact]
    public void The_pole_is_an_error_naming_the_tensor()
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("model_stock").Base(Tensors.Of(0, 0)).Model(Tensors.Of(1, 0)).Model(Tensors.Of(-1, 0));
        var error = Assert.Throws<MergeException>(() => merge.Merge());
        Assert.Contains(merge.TensorName, error.Message);
    }

    [Fact]
    public void Needs_two_models_besides_the_base()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<MergeException>(() => MergeCase.For("model_stock").Base(Tensors.Of(0)).Model(Tensors.Of(1)).Merge());
    }
}
