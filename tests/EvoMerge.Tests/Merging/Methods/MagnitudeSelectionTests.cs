using EvoMerge.Merging.Sparsification;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class MagnitudeSelectionTests
{
    /// <summary>The reference: order by magnitude descending, ties by index ascending, take the first k.</summary>
    private static bool[] ReferenceLargest(float[] values, long k)
    {
        var order = Enumerable.Range(0, values.Length)
            .OrderByDescending(i => Math.Abs(values[i]))
            .ThenBy(i => i)
            .Take((int)k);
        var keep = new bool[values.Length];
        foreach (int i in order)
            keep[i] = true;
        return keep;
    }

    private static bool[] Bools(torch.Tensor mask)
    {
        using var asBytes = mask.to(torch.ScalarType.Byte);
        return asBytes.data<byte>().ToArray().Select(b => b != 0).ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(50)]
    [InlineData(123)]
    [InlineData(299)]
    [InlineData(300)]
    public void Keeps_exactly_k_with_lower_indices_winning_ties(long k)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.round(Tensors.Random(new torch.Generator(21, torch.CPU), 300) * 2);
        var values = TensorAssert.Values(x);
        var magnitudes = MagnitudeSelection.Magnitudes(x);
        var expected = ReferenceLargest(values, k);

        Assert.Equal(expected, Bools(MagnitudeSelection.Largest(magnitudes, k)));
        var order = MagnitudeOrder.FromTaskVector(x);
        if (k is > 0 and < 300)
            Assert.Equal(expected, Bools(MagnitudeSelection.Largest(magnitudes, k, order.Cut(k))));
    }

    [Fact]
    public void Magnitude_order_cut_counts_the_ties()
    {
        var order = MagnitudeOrder.FromTaskVector(Tensors.Of(1, -1, 1, -1, 2, 2, 0.5f));
        Assert.Equal(7L, order.Count);
        Assert.Equal(new MagnitudeCut(1f, 2, 4), order.Cut(3));
        Assert.Equal(new MagnitudeCut(2f, 0, 2), order.Cut(2));
        Assert.Equal(new MagnitudeCut(0.5f, 6, 1), order.Cut(7));
        Assert.Equal(2f, order.KthLargest(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => order.KthLargest(8));
    }
}
