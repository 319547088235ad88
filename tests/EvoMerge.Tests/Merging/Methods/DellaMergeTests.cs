using EvoMerge.Merging;
using EvoMerge.Merging.Sparsification;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class DellaMergeTests
{
    [Fact]
    public void Keep_frequencies_follow_the_rank_formula()
    {
        using var scope = torch.NewDisposeScope();
        const int rows = 20_000;
        float[] row = [3, -11, 7, 1, -5, 9, 2, -10, 6, 4, -8];
        var x = Tensors.Of(row).repeat(rows, 1);
        var mask = DellaMagnitudePrune.Mask(x, 0.5, 0.1, new torch.Generator(17, torch.CPU))!;
        var frequency = TensorAssert.Values(mask.to(torch.ScalarType.Float32).mean([0L]));

        var descending = row.Select((v, i) => (Magnitude: Math.Abs(v), Index: i)).OrderByDescending(e => e.Magnitude).ToArray();
        for (int position = 0; position < descending.Length; position++)
        {
            double expected = DellaMagnitudePrune.KeepProbability(0.5, 0.1, position, row.Length);
            Assert.InRange(frequency[descending[position].Index], expected - 0.015, expected + 0.015);
        }
        Assert.Equal(0.6, DellaMagnitudePrune.KeepProbability(0.5, 0.1, 0, 11), 12);
        Assert.Equal(0.4, DellaMagnitudePrune.KeepProbability(0.5, 0.1, 10, 11), 12);
    }

    [Fact]
    public void A_one_dimensional_tensor_is_one_row()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(1, 10_001, torch.ScalarType.Float32);
        var mask = DellaMagnitudePrune.Mask(x, 0.5, 0.4, new torch.Generator(3, torch.CPU))!;
        Assert.Equal([10_000L], mask.shape);
        // smallest thousand kept with about 0.1 + small slope, largest thousand with about 0.9.
        double low = mask.narrow(0, 0, 1000).to(torch.ScalarType.Float32).mean().ToDouble();
        double high = mask.narrow(0, 9000, 1000).to(torch.ScalarType.Float32).mean().ToDouble();
        Assert.InRange(low, 0.10, 0.20);
        Assert.InRange(high, 0.80, 0.90);
    }

    [Fact]
    public void A_row_of_one_element_is_kept_with_probability_density()
    {
        using var scope = torch.NewDisposeScope();
        var mask = DellaMagnitudePrune.Mask(torch.ones(20_000, 1), 0.3, 0.1, new torch.Generator(8, torch.CPU))!;
        Assert.InRange(mask.to(torch.ScalarType.Float32).mean().ToDouble(), 0.28, 0.32);
    }

    [Fact]
    public void The_rescale_preserves_the_l1_norm()
    {
        using var scope = torch.NewDisposeScope();
        var x = Tensors.Random(new torch.Generator(2, torch.CPU), 200, 500);
        var pruned = DellaMagnitudePrune.Apply(x, 0.4, 0.15, new torch.Generator(3, torch.CPU));
        double before = L1Rescale.L1Norm(x);
        Assert.True(Math.Abs(L1Rescale.L1Norm(pruned) - before) <= 1e-4 * before);
    }

    [Theory]
    [InlineData(0.9, 0.15)]
    [InlineData(0.85, 0.15)]
    [InlineData(0.1, 0.15)]
    [InlineData(0.5, -0.6)]
    [InlineData(0.7, -0.4)]
    public void Density_plus_or_minus_epsilon_outside_zero_one_is_an_error(double density, double epsilon)
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("della").Base(Tensors.Of(0, 0)).Model(Tensors.Of(1, 2), ("weight", 1), ("density", density), ("epsilon", epsilon));
        merge.Random = new torch.Generator(1, torch.CPU);
        var error = Assert.Throws<MergeException>(() => merge.Merge());
        Assert.Contains(merge.TensorName, error.Message);
    }

    [Fact]
    public void Density_zero_drops_the_whole_task_vector()
    {
        using var scope = torch.NewDisposeScope();
        var merge = MergeCase.For("della_linear").Base(Tensors.Of(1, 1)).Model(Tensors.Of(3, 5), ("weight", 1), ("density", 0));
        merge.Random = new torch.Generator(1, torch.CPU);
        TensorAssert.Close([1, 1], merge.Merge());
    }

    [Fact]
    public void Della_normalizes_over_agreeing_models_and_della_linear_sums()
    {
        using var scope = torch.NewDisposeScope();
        MergeCase Case(string method)
        {
            var merge = MergeCase.For(method)
                .Base(Tensors.Of(0, 0))
                .Model(Tensors.Of(1, -1), ("weight", 1))
                .Model(Tensors.Of(3, 2), ("weight", 1));
            merge.Random = new torch.Generator(1, torch.CPU);
            return merge;
        }
        TensorAssert.Close([2, 2], Case("della").Merge());
        TensorAssert.Close([4, 1], Case("della_linear").Merge());
    }

    [Fact]
    public void The_same_seed_gives_the_same_merge_and_none_is_an_error()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(5, torch.CPU);
        var b = Tensors.Random(generator, 16, 16);
        var x = Tensors.Random(generator, 16, 16);
        MergeCase Case(torch.Generator? random)
        {
            var merge = MergeCase.For("della").Base(b).Model(x, ("weight", 1), ("density", 0.5));
            merge.Random = random;
            return merge;
        }
        TensorAssert.Equal(Case(new torch.Generator(9, torch.CPU)).Merge(), Case(new torch.Generator(9, torch.CPU)).Merge());
        Assert.Contains("seed", Assert.Throws<MergeException>(() => Case(null).Merge()).Message);
    }
}
