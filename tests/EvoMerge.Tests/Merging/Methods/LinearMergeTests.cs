using EvoMerge.Merging;
using EvoMerge.Merging.Methods;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class LinearMergeTests
{
    [Fact]
    public void Normalized_weighted_mean_uses_the_base_as_first_input()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("linear")
            .Base(Tensors.Of(1, 2), ("weight", 0.3))
            .Model(Tensors.Of(3, 4), ("weight", 0.5))
            .Merge();
        TensorAssert.Close([(0.3 * 1 + 0.5 * 3) / 0.8, (0.3 * 2 + 0.5 * 4) / 0.8], result);
    }

    [Fact]
    public void Without_normalize_returns_the_plain_weighted_sum()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("linear")
            .Model(Tensors.Of(1, 2), ("weight", 0.3))
            .Model(Tensors.Of(3, 4), ("weight", 0.5))
            .Global(("normalize", 0))
            .Merge();
        TensorAssert.Close([1.8, 2.6], result);
    }

    [Fact]
    public void One_model_is_returned_unchanged_whatever_its_weight()
    {
        using var scope = torch.NewDisposeScope();
        var x = Tensors.Random(new torch.Generator(1, torch.CPU), 8, 5);
        var result = MergeCase.For("linear").Model(x, ("weight", 0.7)).Merge();
        TensorAssert.Close(x, result, 1e-6);
        Assert.Equal(x.shape, result.shape);
    }

    [Fact]
    public void Negative_weights_are_allowed()
    {
        using var scope = torch.NewDisposeScope();
        var result = MergeCase.For("linear")
            .Model(Tensors.Of(1, 2), ("weight", 2))
            .Model(Tensors.Of(3, 4), ("weight", -1))
            .Merge();
        TensorAssert.Close([-1, 0], result);
    }

    [Fact]
    public void Weights_summing_to_zero_with_normalize_are_an_error_naming_the_tensor()
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("linear")
            .Model(Tensors.Of(1, 2), ("weight", 0.5))
            .Model(Tensors.Of(3, 4), ("weight", -0.5));
        merge.TensorName = "model.layers.7.self_attn.q_proj.weight";
        var error = Assert.Throws<MergeException>(() => merge.Merge());
        Assert.Contains("model.layers.7.self_attn.q_proj.weight", error.Message);
        Assert.Contains("sum to 0", error.Message);

        merge.Global(("normalize", 0));
        TensorAssert.Close([-1, -1], merge.Merge());
    }

    [Fact]
    public void Shape_mismatch_names_the_tensor_and_both_shapes()
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("linear")
            .Model(torch.zeros(2, 3), ("weight", 1))
            .Model(torch.zeros(3, 3), ("weight", 1));
        var error = Assert.Throws<MergeException>(() => merge.Merge());
        Assert.Contains(merge.TensorName, error.Message);
        Assert.Contains("[2, 3]", error.Message);
        Assert.Contains("[3, 3]", error.Message);
    }

    [Fact]
    public void Embeddings_are_cut_to_the_common_rows()
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("linear")
            .Base(Tensors.Of([1, 1, 2, 2, 3, 3], 3, 2), ("weight", 1))
            .Model(Tensors.Of([3, 3, 4, 4], 2, 2), ("weight", 1));
        merge.IsEmbedding = true;
        var result = merge.Merge();
        Assert.Equal([2L, 2L], result.shape);
        TensorAssert.Close([2, 2, 3, 3], result);
    }

    [Fact]
    public void A_missing_weight_is_an_error_naming_the_model()
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("linear").Base(Tensors.Of(1)).Model(Tensors.Of(2), ("weight", 1));
        var error = Assert.Throws<MergeException>(() => merge.Merge());
        Assert.Contains("'weight'", error.Message);
        Assert.Contains("'base'", error.Message);
    }

    [Fact]
    public void Bfloat16_matches_torch_summing_the_stacked_weighted_inputs()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(7, torch.CPU);
        var inputs = Enumerable.Range(0, 3).Select(_ => Tensors.Random(generator, 64, 33).to(torch.ScalarType.BFloat16)).ToArray();
        double[] weights = [0.3, 0.45, 0.1];
        var merge = MergeCase.For("linear");
        for (int i = 0; i < inputs.Length; i++)
            merge.Model(inputs[i], ("weight", weights[i]));

        var weightTensor = torch.tensor(weights, torch.ScalarType.BFloat16).view(3, 1, 1);
        var expected = (torch.stack(inputs) * weightTensor).sum(dim: 0) / weightTensor.sum(dim: 0);

        var result = merge.Merge();
        Assert.Equal(torch.ScalarType.BFloat16, result.dtype);
        TensorAssert.Equal(expected, result);
    }
    [Fact]
    public void The_float32_pass_is_bit_identical_to_the_tensor_formulation()
    {
        var generator = new torch.Generator(4321, torch.CPU);
        var random = new Random(17);
        long[][] shapes = [[5], [33, 7], [70_001], [600, 500], [1]];
        for (int trial = 0; trial < 15; trial++)
        {
            using var scope = torch.NewDisposeScope();
            var shape = shapes[trial % shapes.Length];
            int models = 1 + trial % 4;
            var inputs = Enumerable.Range(0, models).Select(i => Tensors.Random(generator, shape) * (i + 1) * 0.37).ToArray();
            if (trial % 5 == 3)
                inputs[0].view(-1).narrow(0, 0, 1).fill_(float.NaN);
            double[] weights = inputs.Select(_ => Math.Round(random.NextDouble() * 3 - 1, 3)).ToArray();
            bool normalize = trial % 2 == 0 && Math.Abs(weights.Sum()) >= 1e-8;
            var merge = MergeCase.For("linear").Global(("normalize", normalize ? 1 : 0));
            for (int i = 0; i < models; i++)
                merge.Model(inputs[i], ("weight", weights[i]));

            var fused = merge.Merge();
            var expected = LinearMerge.MergeTensors(inputs, weights, normalize);
            var e = TensorAssert.Values(expected);
            var a = TensorAssert.Values(fused);
            Assert.Equal(expected.shape, fused.shape);
            for (int j = 0; j < e.Length; j++)
            {
                if (BitConverter.SingleToUInt32Bits(e[j]) != BitConverter.SingleToUInt32Bits(a[j]))
                    Assert.Fail($"trial {trial}: element {j} differs: expected {e[j]:R}, got {a[j]:R}");
            }
        }
    }

    [Fact]
    public void A_given_float32_destination_receives_the_result()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(9, torch.CPU);
        var x = Tensors.Random(generator, 40, 9);
        var y = Tensors.Random(generator, 40, 9);
        var destination = torch.full([40, 9], float.NaN);
        var merge = MergeCase.For("linear").Model(x, ("weight", 0.25)).Model(y, ("weight", 0.5));
        var context = merge.Build();
        var result = merge.Method.Merge(new MergeContext
        {
            TensorName = context.TensorName, Models = context.Models, Global = context.Global, Destination = destination,
        });
        Assert.Same(destination, result);
        TensorAssert.Close((x * 0.25f + y * 0.5f) / 0.75f, destination, 1e-6);
    }
}
