using System.Numerics;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// Exact selection by magnitude over a float32 task vector that is never stored: element j is
/// <c>values[j] − base[j]</c> (or <c>values[j]</c> without a base), computed on the fly exactly as torch computes it.
/// Same ranking and tie rule as <see cref="MagnitudeSelection"/> (float32 |δ| largest first, lower index first among
/// equals). Large tensors are selected in one pass by <see cref="MagnitudeBracket"/>; otherwise (or when its sample
/// misses) a two-pass radix select over the magnitude keys finds the cut, and a vectorised count of the tied keys per
/// chunk finds the chunk where the tie budget ends. Passes run on torch's thread count (<see cref="ElementChunks"/>).
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
        if (known is null && MagnitudeBracket.TryLargest(source, k, out var bracketed)) return bracketed;
        return FromCut(source, k, known ?? Cut(source, k));
    }

    /// <summary>The set of the k largest magnitudes given their cut: finds where the tie budget ends (0 &lt; k &lt; count).</summary>
    internal static MagnitudeBoundary FromCut(Source source, long k, MagnitudeCut cut)
    {
        uint key = MagnitudeBoundary.KeyOf(cut.Threshold);
        long budget = k - cut.Above;
        if (budget >= cut.AtThreshold) return new MagnitudeBoundary(key, long.MaxValue);
        if (budget <= 0) return new MagnitudeBoundary(key, 0);
        long chunks = (source.Count + ElementChunks.Size - 1) / ElementChunks.Size;
        var tied = new long[chunks];
        nint valuesAddress = source.Values, baseAddress = source.Base;
        ElementChunks.For(source.Count, (start, end) =>
            tied[start / ElementChunks.Size] = CountKey((float*)valuesAddress, (float*)baseAddress, start, end, key));
        long seen = 0;
        for (long chunk = 0; chunk < chunks; chunk++)
        {
            if (seen + tied[chunk] < budget)
            {
                seen += tied[chunk];
                continue;
            }
            long end = Math.Min(source.Count, (chunk + 1) * ElementChunks.Size);
            for (long j = chunk * ElementChunks.Size; j < end; j++)
            {
                if (MagnitudeBoundary.KeyOf(source[j]) == key && ++seen == budget)
                    return new MagnitudeBoundary(key, j + 1);
            }
        }
        throw new InvalidOperationException("fewer tied magnitudes than the cut counted");
    }

    /// <summary>How many elements of [start, end) have magnitude key <paramref name="key"/>.</summary>
    private static long CountKey(float* values, float* baseValues, long start, long end, uint key)
    {
        int width = Vector<int>.Count;
        var magnitude = new Vector<int>(0x7FFFFFFF);
        var wanted = new Vector<int>((int)key);
        var lanes = Vector<int>.Zero;
        long j = start;
        for (; j + width <= end; j += width)
        {
            var d = baseValues == null ? Vector.Load(values + j) : Vector.Load(values + j) - Vector.Load(baseValues + j);
            lanes -= Vector.Equals(Vector.AsVectorInt32(d) & magnitude, wanted);
        }
        long count = Vector.Sum(lanes);
        for (; j < end; j++)
        {
            float d = baseValues == null ? values[j] : values[j] - baseValues[j];
            if (MagnitudeBoundary.KeyOf(d) == key) count++;
        }
        return count;
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
