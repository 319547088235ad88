using EvoMerge.Merging;
using EvoMerge.Merging.Sparsification;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class DareMergeTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Keeps_a_fraction_within_three_sigma_of_the_density(double density)
    {
        using var scope = torch.NewDisposeScope();
        const int n = 100_000;
        var x = Tensors.Random(new torch.Generator(1, torch.CPU), n);
        var dropped = BernoulliDrop.Apply(x, density, new torch.Generator(2, torch.CPU));
        long kept = dropped.count_nonzero().ToInt64();
        double sigma = Math.Sqrt(n * density * (1 - density));
        Assert.InRange(kept, n * density - 3 * sigma, n * density + 3 * sigma);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    public void The_rescale_preserves_the_l1_norm_exactly(double density)
    {
        using var scope = torch.NewDisposeScope();
        var x = Tensors.Random(new torch.Generator(3, torch.CPU), 100_000) + 0.5f;
        var dropped = BernoulliDrop.Apply(x, density, new torch.Generator(4, torch.CPU), rescale: true);
        double before = L1Rescale.L1Norm(x);
        Assert.True(Math.Abs(L1Rescale.L1Norm(dropped) - before) <= 1e-4 * before);
    }

    [Fact]
    public void Without_rescale_the_survivors_keep_their_values()
    {
        using var scope = torch.NewDisposeScope();
        var x = Tensors.Random(new torch.Generator(3, torch.CPU), 1000);
        var dropped = BernoulliDrop.Apply(x, 0.4, new torch.Generator(4, torch.CPU), rescale: false);
        var kept = dropped.ne(0);
        TensorAssert.Equal(x.masked_select(kept), dropped.masked_select(kept));
    }

    [Fact]
    public void The_same_seed_gives_the_same_merge()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(5, torch.CPU);
        var b = Tensors.Random(generator, 32, 16);
        var x1 = Tensors.Random(generator, 32, 16);
        var x2 = Tensors.Random(generator, 32, 16);
        torch.Tensor Merge(ulong seed)
        {
            var merge = MergeCase.For("dare_ties").Base(b).Model(x1, ("weight", 0.6), ("density", 0.4)).Model(x2, ("weight", 0.4), ("density", 0.3));
            merge.Random = new torch.Generator(seed, torch.CPU);
            return merge.Merge();
        }
        TensorAssert.Equal(Merge(42), Merge(42));
        Assert.NotEqual(TensorAssert.Values(Merge(42)), TensorAssert.Values(Merge(43)));
    }

    [Theory]
    [InlineData("dare_ties")]
    [InlineData("dare_linear")]
    public void Without_a_generator_the_merge_asks_for_a_seed(string method)
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For(method).Base(Tensors.Of(0, 0)).Model(Tensors.Of(1, 2), ("weight", 1), ("density", 0.5));
        var error = Assert.Throws<MergeException>(() => merge.Merge());
        Assert.Contains("seed", error.Message);
        Assert.Contains(merge.TensorName, error.Message);
    }

    [Fact]
    public void Dare_ties_does_not_normalize_by_default_unlike_ties()
    {
        using var scope = torch.NewDisposeScope();
        MergeCase Case(string method) => MergeCase.For(method)
            .Base(Tensors.Of(0, 0))
            .Model(Tensors.Of(1, -1), ("weight", 1))
            .Model(Tensors.Of(3, 2), ("weight", 1));
        var dare = Case("dare_ties");
        dare.Random = new torch.Generator(1, torch.CPU);
        // density 1 drops nothing; sums 4 and 1 elect +, +; element 1 keeps only model 2.
        TensorAssert.Close([4, 2], dare.Merge());
        TensorAssert.Close([2, 2], Case("ties").Merge());
        dare.Global(("normalize", 1));
        TensorAssert.Close([2, 2], dare.Merge());
    }

    [Fact]
    public void Dare_linear_with_density_one_is_task_arithmetic()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(6, torch.CPU);
        var b = Tensors.Random(generator, 10, 10);
        var x1 = Tensors.Random(generator, 10, 10);
        var x2 = Tensors.Random(generator, 10, 10);
        var dare = MergeCase.For("dare_linear").Base(b).Model(x1, ("weight", 0.3)).Model(x2, ("weight", 0.9));
        dare.Random = new torch.Generator(1, torch.CPU);
        var arithmetic = MergeCase.For("task_arithmetic").Base(b).Model(x1, ("weight", 0.3)).Model(x2, ("weight", 0.9));
        TensorAssert.Equal(arithmetic.Merge(), dare.Merge());
    }

    [Fact]
    public void Dare_linear_keeps_the_expected_share_of_the_task_vector()
    {
        using var scope = torch.NewDisposeScope();
        var b = torch.zeros(50_000);
        var x = torch.ones(50_000);
        var merge = MergeCase.For("dare_linear").Base(b).Model(x, ("weight", 1), ("density", 0.2));
        merge.Random = new torch.Generator(9, torch.CPU);
        var result = merge.Merge();
        long kept = result.count_nonzero().ToInt64();
        Assert.InRange(kept, 10_000 - 3 * Math.Sqrt(8_000), 10_000 + 3 * Math.Sqrt(8_000));
        // L1 rescale: survivors carry the whole mass.
        Assert.Equal(50_000, result.sum().ToDouble(), 1);
    }

    [Fact]
    public void A_negative_density_is_an_error()
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("dare_linear").Base(Tensors.Of(0)).Model(Tensors.Of(1), ("weight", 1), ("density", -0.1));
        merge.Random = new torch.Generator(1, torch.CPU);
        Assert.Throws<MergeException>(() => merge.Merge());
    }
}
