using EvoMerge.Merging.Sparsification;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class MagnitudeSelectionTests
{
    /// <summary>The reference: order by float32 magnitude descending, ties by index ascending.</summary>
    private static int[] ReferenceRanking(float[] values) =>
        Enumerable.Range(0, values.Length).OrderByDescending(i => Math.Abs(values[i])).ThenBy(i => i).ToArray();

    private static bool[] ReferenceRange(float[] values, long skip, long take)
    {
        var keep = new bool[values.Length];
        foreach (int i in ReferenceRanking(values).Skip((int)skip).Take((int)take))
            keep[i] = true;
        return keep;
    }

    private static bool[] Bools(torch.Tensor mask)
    {
        using var asBytes = mask.to(torch.ScalarType.Byte);
        return asBytes.data<byte>().ToArray().Select(b => b != 0).ToArray();
    }

    private static torch.Tensor TiedValues(int seed, long count) =>
        torch.round(Tensors.Random(new torch.Generator((ulong)seed, torch.CPU), count) * 2);

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
        var x = TiedValues(21, 300);
        var expected = ReferenceRange(TensorAssert.Values(x), 0, k);

        Assert.Equal(expected, Bools(MagnitudeSelection.Largest(x, k)));
        Assert.Equal(expected, Bools(MagnitudeSelection.RankRange(x, 0, k, null, null, chunkElements: 7)));
        if (k is > 0 and < 300)
            Assert.Equal(expected, Bools(MagnitudeSelection.Largest(x, k, MagnitudeOrder.FromTaskVector(x).Cut(k))));
    }

    [Fact]
    public void The_documented_tie_example_keeps_indices_4_5_0()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal([true, false, false, false, true, true], Bools(MagnitudeSelection.Largest(Tensors.Of(1, -1, 1, -1, 2, 2), 3)));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(3, 10)]
    [InlineData(40, 100)]
    [InlineData(250, 100)]
    [InlineData(299, 1)]
    public void Rank_ranges_drop_the_largest_and_keep_the_next(long skip, long take)
    {
        using var scope = torch.NewDisposeScope();
        var x = TiedValues(5, 300);
        var expected = ReferenceRange(TensorAssert.Values(x), skip, take);
        Assert.Equal(expected, Bools(MagnitudeSelection.RankRange(x, skip, take)));
        Assert.Equal(expected, Bools(MagnitudeSelection.RankRange(x, skip, take, null, null, chunkElements: 64)));
    }

    [Theory]
    [InlineData(torch.ScalarType.BFloat16)]
    [InlineData(torch.ScalarType.Float16)]
    [InlineData(torch.ScalarType.Float64)]
    public void Other_dtypes_rank_by_their_float32_magnitude(torch.ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var x = (Tensors.Random(new torch.Generator(8, torch.CPU), 20, 30) * 3).to(dtype);
        var values = TensorAssert.Values(x);
        foreach (long k in new long[] { 1, 17, 300, 599 })
            Assert.Equal(ReferenceRange(values, 0, k), Bools(MagnitudeSelection.Largest(x, k).reshape(-1)));
        Assert.Equal([20L, 30L], MagnitudeSelection.Largest(x, 5).shape);
    }

    [Fact]
    public void Cut_agrees_with_the_magnitude_order()
    {
        using var scope = torch.NewDisposeScope();
        var x = TiedValues(3, 1000);
        var order = MagnitudeOrder.FromTaskVector(x);
        foreach (long k in new long[] { 1, 2, 100, 333, 999, 1000 })
        {
            Assert.Equal(order.Cut(k), MagnitudeSelection.Cut(x, k));
            Assert.Equal(order.Cut(k), MagnitudeSelection.Cut(x, k, chunkElements: 33));
        }
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

    /// <summary>
    /// Magnitudes spread over many binades (so over many groups of equal high bits, some empty between them), with
    /// repeats, zeros of both signs, infinities and NaN: every cut equals the one read off a full sort of the keys.
    /// </summary>
    [Fact]
    public void Magnitude_order_cuts_match_a_full_sort_across_many_magnitude_groups()
    {
        using var scope = torch.NewDisposeScope();
        var random = new Random(11);
        var values = Enumerable.Range(0, 5000).Select(i => (float)((random.NextDouble() - 0.5) * Math.ScaleB(1.0, random.Next(-40, 40)))).ToList();
        values.AddRange(values.Take(300).Select(v => -v));
        values.AddRange([0f, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -float.Epsilon]);
        var x = torch.tensor(values.ToArray());
        var order = MagnitudeOrder.FromTaskVector(x);
        var keys = values.Select(v => BitConverter.SingleToUInt32Bits(v) & 0x7FFFFFFF).OrderByDescending(k => k).ToArray();
        Assert.Equal(keys.LongLength, order.Count);
        foreach (long k in new long[] { 1, 2, 3, 4, 100, 299, 300, 301, 2500, 5000, 5299, 5300, 5303, 5306, keys.Length - 1, keys.Length })
        {
            uint threshold = keys[k - 1];
            var expected = new MagnitudeCut(BitConverter.UInt32BitsToSingle(threshold), keys.LongCount(key => key > threshold), keys.LongCount(key => key == threshold));
            Assert.Equal(expected, order.Cut(k));
            Assert.Equal(expected, MagnitudeSelection.Cut(x, k));
            Assert.Equal(expected.Threshold, order.KthLargest(k));
        }
        Assert.Equal(0L, MagnitudeOrder.FromTaskVector(torch.zeros(0)).Count);
    }

    [Fact]
    public void Negative_zero_ties_with_zero()
    {
        using var scope = torch.NewDisposeScope();
        var x = Tensors.Of(0, -0.0f, 1, 0, -0.0f);
        Assert.Equal([true, true, true, false, false], Bools(MagnitudeSelection.Largest(x, 3)));
    }
}
