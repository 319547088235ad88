namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// Exact selection by magnitude over a float32 task vector that is never stored: element j is
/// <c>values[j] − base[j]</c> (or <c>values[j]</c> without a base), computed on the fly exactly as torch computes it.
/// Same ranking and tie rule as <see cref="MagnitudeSelection"/> (float32 |δ| largest first, lower index first among
/// equals): a two-pass radix select over the magnitude keys finds the cut, and at most one partial scan finds where
/// the tie budget ends. Passes run on torch's thread count (<see cref="ElementChunks"/>).
/// </summary>
internal static unsafe class TaskVectorMagnitudes
{
    private const int Buckets = 1 << 16;

    /// <summary>A task vector read from CPU float32 memory that stays put while it is used.</summary>
    /// <param name="Values">The model's values (or the task vector itself when <paramref name="Base"/> is null).</param>
    /// <param name="Base">The base's values, or null.</param>
    /// <param name="Count">Number of elements.</param>
    public readonly record struct Source(nint Values, nint Base, long Count)
    {
        /// <summary>Element j of the task vector.</summary>
        public float this[long j] => Base == 0 ? ((float*)Values)[j] : ((float*)Values)[j] - ((float*)Base)[j];
    }

    /// <summary>The set of the k largest magnitudes; <paramref name="known"/> is the cut for this k when already known.</summary>
    public static MagnitudeBoundary Largest(Source source, long k, MagnitudeCut? known = null)
    {
        if (k <= 0) return MagnitudeBoundary.None;
        if (k >= source.Count) return MagnitudeBoundary.All;
        var cut = known ?? Cut(source, k);
        uint key = MagnitudeBoundary.KeyOf(cut.Threshold);
        long budget = k - cut.Above;
        if (budget >= cut.AtThreshold) return new MagnitudeBoundary(key, long.MaxValue);
        if (budget <= 0) return new MagnitudeBoundary(key, 0);
        long seen = 0;
        for (long j = 0; j < source.Count; j++)
        {
            if (MagnitudeBoundary.KeyOf(source[j]) == key && ++seen == budget)
                return new MagnitudeBoundary(key, j + 1);
        }
        throw new InvalidOperationException("fewer tied magnitudes than the cut counted");
    }

    /// <summary>The cut that keeps exactly the k largest magnitudes, 1 ≤ k ≤ count.</summary>
    public static MagnitudeCut Cut(Source source, long k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, source.Count);
        var high = Histogram(source, null);
        var (highBucket, aboveHigh) = BucketOfRank(high, k);
        var low = Histogram(source, (uint)highBucket);
        var (lowBucket, aboveLow) = BucketOfRank(low, k - aboveHigh);
        float threshold = BitConverter.UInt32BitsToSingle(((uint)highBucket << 16) | (uint)lowBucket);
        return new MagnitudeCut(threshold, aboveHigh + aboveLow, low[lowBucket]);
    }

    /// <summary>Counts of the high 16 key bits, or (given <paramref name="highBucket"/>) of the low 16 bits of the keys in that high bucket.</summary>
    private static long[] Histogram(Source source, uint? highBucket)
    {
        var total = new long[Buckets];
        nint valuesAddress = source.Values, baseAddress = source.Base;
        uint wanted = highBucket ?? 0;
        bool high = highBucket is null;
        ElementChunks.For(source.Count, () => new long[Buckets], (start, end, counts) =>
        {
            float* values = (float*)valuesAddress, baseValues = (float*)baseAddress;
            fixed (long* c = counts)
            {
                for (long j = start; j < end; j++)
                {
                    float d = baseValues == null ? values[j] : values[j] - baseValues[j];
                    uint key = BitConverter.SingleToUInt32Bits(d) & 0x7FFFFFFF;
                    if (high) c[key >> 16]++;
                    else if (key >> 16 == wanted) c[key & 0xFFFF]++;
                }
            }
        }, counts =>
        {
            for (int i = 0; i < Buckets; i++) total[i] += counts[i];
        });
        return total;
    }

    private static (int Bucket, long Above) BucketOfRank(long[] counts, long k)
    {
        long above = 0;
        for (int bucket = counts.Length - 1; bucket >= 0; bucket--)
        {
            if (above + counts[bucket] >= k) return (bucket, above);
            above += counts[bucket];
        }
        throw new InvalidOperationException("rank beyond the element count");
    }
}
