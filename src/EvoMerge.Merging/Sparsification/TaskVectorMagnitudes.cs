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
        if (known is null && Bracketed(source, k) is { } bracketed)
            return bracketed;
        var cut = known ?? Cut(source, k);
        uint key = MagnitudeBoundary.KeyOf(cut.Threshold);
        long budget = k - cut.Above;
        if (budget >= cut.AtThreshold) return new MagnitudeBoundary(key, long.MaxValue);
        if (budget <= 0) return new MagnitudeBoundary(key, 0);
        // Only some of the tied magnitudes are kept: the bracketing pass finds where they end on all threads.
        if (known is not null && Bracketed(source, k) is { } found)
            return found;
        long seen = 0;
        for (long j = 0; j < source.Count; j++)
        {
            if (MagnitudeBoundary.KeyOf(source[j]) == key && ++seen == budget)
                return new MagnitudeBoundary(key, j + 1);
        }
        throw new InvalidOperationException("fewer tied magnitudes than the cut counted");
    }

    /// <summary>
    /// The k largest magnitudes in one pass, when a strided sample predicts the cut well enough: the sample's keys give
    /// a bracket [low, high] that should hold the k-th largest key; one pass counts the keys above the bracket and
    /// collects the keys inside it with their indices (in index order); the exact cut and tie end are then found among
    /// those few. Null when the bracket missed (the caller falls back to the radix select), so the result is always
    /// exact.
    /// </summary>
    private static MagnitudeBoundary? Bracketed(Source source, long k)
    {
        const int SampleSize = 1 << 15;
        long n = source.Count;
        if (n < 8L * SampleSize) return null;
        var sample = new uint[SampleSize];
        long stride = n / SampleSize;
        for (int i = 0; i < SampleSize; i++) sample[i] = MagnitudeBoundary.KeyOf(source[i * stride + stride / 2]);
        Array.Sort(sample);
        // Rank of the cut in the ascending sample, widened by about 6 standard deviations of a binomial count.
        double p = (double)k / n;
        int margin = (int)(6 * Math.Sqrt(SampleSize * p * (1 - p))) + 32;
        int rank = (int)((1 - p) * SampleSize);
        uint low = sample[Math.Max(0, rank - margin)];
        uint high = sample[Math.Min(SampleSize - 1, rank + margin)];

        long chunks = (n + ElementChunks.Size - 1) / ElementChunks.Size;
        var inside = new List<ulong>?[chunks];
        var aboveCounts = new long[chunks];
        nint valuesAddress = source.Values, baseAddress = source.Base;
        ElementChunks.For(n, (start, end) =>
        {
            float* values = (float*)valuesAddress, baseValues = (float*)baseAddress;
            long above = 0;
            List<ulong>? found = null;
            for (long j = start; j < end; j++)
            {
                float d = baseValues == null ? values[j] : values[j] - baseValues[j];
                uint key = BitConverter.SingleToUInt32Bits(d) & 0x7FFFFFFF;
                if (key > high) above++;
                else if (key >= low) (found ??= []).Add(((ulong)key << 32) | (uint)(j - start));
            }
            long chunk = start / ElementChunks.Size;
            aboveCounts[chunk] = above;
            inside[chunk] = found;
        });
        long aboveHigh = aboveCounts.Sum();
        long insideCount = inside.Sum(list => (long)(list?.Count ?? 0));
        if (aboveHigh >= k || aboveHigh + insideCount < k) return null;

        var keys = new uint[insideCount];
        long next = 0;
        foreach (var list in inside)
            foreach (ulong entry in list ?? [])
                keys[next++] = (uint)(entry >> 32);
        Array.Sort(keys);
        uint threshold = keys[insideCount - (k - aboveHigh)];
        long aboveThreshold = aboveHigh + keys.LongLength - UpperBound(keys, threshold);
        long budget = k - aboveThreshold;
        long seen = 0;
        for (long chunk = 0; chunk < chunks; chunk++)
        {
            foreach (ulong entry in inside[chunk] ?? [])
            {
                if ((uint)(entry >> 32) == threshold && ++seen == budget)
                    return new MagnitudeBoundary(threshold, chunk * ElementChunks.Size + (long)(entry & 0xFFFFFFFF) + 1);
            }
        }
        return new MagnitudeBoundary(threshold, long.MaxValue);
    }

    /// <summary>The first index of an ascending array whose key is above <paramref name="key"/>.</summary>
    private static long UpperBound(uint[] sorted, uint key)
    {
        long low = 0, high = sorted.LongLength;
        while (low < high)
        {
            long middle = low + (high - low) / 2;
            if (sorted[middle] <= key) low = middle + 1;
            else high = middle;
        }
        return low;
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
