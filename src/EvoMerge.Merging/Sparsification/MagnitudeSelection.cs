using System.Runtime.InteropServices;
using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// Exact selection by magnitude without sorting. Elements are ranked by |x| in float32 (as mergekit ranks them on the
/// CPU), largest first; among equal magnitudes the lower flat index ranks higher (what torch's CPU argsort was observed
/// to do for mergekit's TIES trim). The k-th largest magnitude is found by a two-pass radix select over the float32 bit
/// patterns of |x| (non-negative floats order like their bits), and the mask is written in one more pass that keeps
/// tied elements in index order until the count is exact. Tensors are read in chunks, so any size works; inputs of
/// other dtypes are converted to float32 one chunk at a time; tensors off the CPU are read through a CPU copy.
/// </summary>
public static class MagnitudeSelection
{
    private const int DefaultChunkElements = 1 << 22;
    private const int Buckets = 1 << 16;

    /// <summary>The cut that keeps exactly the k largest magnitudes of <paramref name="x"/>, 1 ≤ k ≤ numel.</summary>
    public static MagnitudeCut Cut(torch.Tensor x, long k) => Cut(x, k, DefaultChunkElements);

    /// <summary>Boolean mask (x's shape) of the k largest magnitudes; k ≤ 0 keeps none, k ≥ numel keeps all.</summary>
    /// <param name="x">The tensor (any floating dtype).</param>
    /// <param name="k">How many elements to keep.</param>
    /// <param name="cut">The cut for this k when already known (from a <see cref="MagnitudeOrder"/> of x).</param>
    public static torch.Tensor Largest(torch.Tensor x, long k, MagnitudeCut? cut = null) =>
        RankRange(x, 0, k, null, cut, DefaultChunkElements);

    /// <summary>
    /// Boolean mask (x's shape) of the elements ranked <c>skip … skip + take − 1</c> by descending magnitude: the
    /// <paramref name="skip"/> largest are dropped, the next <paramref name="take"/> kept, the rest dropped.
    /// </summary>
    /// <param name="x">The tensor (any floating dtype).</param>
    /// <param name="skip">How many of the largest magnitudes to drop.</param>
    /// <param name="take">How many to keep after those.</param>
    /// <param name="skipCut">The cut for k = skip when already known.</param>
    /// <param name="endCut">The cut for k = skip + take when already known.</param>
    public static torch.Tensor RankRange(torch.Tensor x, long skip, long take, MagnitudeCut? skipCut = null, MagnitudeCut? endCut = null) =>
        RankRange(x, skip, take, skipCut, endCut, DefaultChunkElements);

    internal static MagnitudeCut Cut(torch.Tensor x, long k, int chunkElements)
    {
        long n = x.numel();
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);
        using var scope = torch.NewDisposeScope();
        var flat = Flat(x);

        var high = new long[Buckets];
        for (long start = 0; start < n; start += chunkElements)
        {
            using var chunk = Float32Chunk(flat, start, Math.Min(chunkElements, n - start));
            foreach (uint bits in Bits(chunk))
                high[(bits & 0x7FFFFFFF) >> 16]++;
        }
        var (highBucket, aboveHigh) = BucketOfRank(high, k);

        var low = new long[Buckets];
        for (long start = 0; start < n; start += chunkElements)
        {
            using var chunk = Float32Chunk(flat, start, Math.Min(chunkElements, n - start));
            foreach (uint bits in Bits(chunk))
            {
                uint key = bits & 0x7FFFFFFF;
                if (key >> 16 == highBucket)
                    low[key & 0xFFFF]++;
            }
        }
        var (lowBucket, aboveLow) = BucketOfRank(low, k - aboveHigh);

        float threshold = BitConverter.UInt32BitsToSingle(((uint)highBucket << 16) | (uint)lowBucket);
        return new MagnitudeCut(threshold, aboveHigh + aboveLow, low[lowBucket]);
    }

    internal static torch.Tensor RankRange(torch.Tensor x, long skip, long take, MagnitudeCut? skipCut, MagnitudeCut? endCut, int chunkElements)
    {
        long n = x.numel();
        long from = Math.Clamp(skip, 0, n);
        long to = Math.Clamp(from + Math.Max(take, 0), from, n);
        using var scope = torch.NewDisposeScope();
        var flat = Flat(x);
        var (dropThreshold, dropTies) = TopBoundary(flat, from, skipCut, chunkElements);
        var (keepThreshold, keepTies) = TopBoundary(flat, to, endCut, chunkElements);

        var mask = torch.empty(n, torch.ScalarType.Bool);
        for (long start = 0; start < n; start += chunkElements)
        {
            long length = Math.Min(chunkElements, n - start);
            using var chunk = Float32Chunk(flat, start, length);
            using var maskChunk = mask.narrow(0, start, length);
            var bits = Bits(chunk);
            var target = maskChunk.bytes;
            for (int i = 0; i < bits.Length; i++)
            {
                uint key = bits[i] & 0x7FFFFFFF;
                bool inKept = key > keepThreshold || (key == keepThreshold && keepTies-- > 0);
                bool inDropped = key > dropThreshold || (key == dropThreshold && dropTies-- > 0);
                target[i] = inKept && !inDropped ? (byte)1 : (byte)0;
            }
        }
        return mask.view(x.shape).to(x.device).MoveToOuterDisposeScope();
    }

    /// <summary>The bucket holding the k-th largest count-weighted rank, and how many lie in higher buckets.</summary>
    private static (int Bucket, long Above) BucketOfRank(long[] counts, long k)
    {
        long above = 0;
        for (int bucket = counts.Length - 1; bucket >= 0; bucket--)
        {
            if (above + counts[bucket] >= k)
                return (bucket, above);
            above += counts[bucket];
        }
        throw new InvalidOperationException("rank beyond the element count");
    }

    private static torch.Tensor Flat(torch.Tensor x)
    {
        var cpu = x.device_type == DeviceType.CPU ? x : x.cpu();
        return cpu.contiguous().reshape(-1);
    }

    private static torch.Tensor Float32Chunk(torch.Tensor flat, long start, long length)
    {
        var slice = flat.narrow(0, start, length);
        if (slice.dtype == torch.ScalarType.Float32)
            return slice;
        var converted = slice.to(torch.ScalarType.Float32);
        slice.Dispose();
        return converted;
    }

    private static ReadOnlySpan<uint> Bits(torch.Tensor float32Chunk) => MemoryMarshal.Cast<byte, uint>(float32Chunk.bytes);

    /// <summary>
    /// "The k largest" as a threshold key and a tie budget, read in index order: keys above the threshold are in,
    /// keys equal to it are in while the budget lasts. k ≤ 0 maps to a threshold no key reaches; k ≥ n to threshold 0
    /// with an unlimited budget.
    /// </summary>
    private static (uint Threshold, long Ties) TopBoundary(torch.Tensor flat, long k, MagnitudeCut? cut, int chunkElements)
    {
        if (k <= 0)
            return (uint.MaxValue, 0);
        if (k >= flat.numel())
            return (0, long.MaxValue);
        var c = cut ?? Cut(flat, k, chunkElements);
        return (BitConverter.SingleToUInt32Bits(c.Threshold) & 0x7FFFFFFF, k - c.Above);
    }
}
