using System.Buffers;
using System.Numerics;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// Exact "k largest magnitudes" of a task vector in one pass over it, guided by a sample: the magnitude keys of
/// <see cref="SampleBlocks"/> short blocks spread over the tensor bracket the k-th largest key between a low and a high
/// key (a few standard deviations of the sample rank either side); one vectorised pass counts the keys above the
/// bracket and gathers the keys inside it with their indices, in index order; the exact cut and the tie end are then
/// found among the gathered keys alone. When the bracket misses the k-th key, or holds too many keys (heavy ties), it
/// reports failure and the caller selects without it; the sample only decides how fast the answer comes, never what it
/// is. Same ranking and tie rule as <see cref="MagnitudeSelection"/>.
/// </summary>
internal static unsafe class MagnitudeBracket
{
    /// <summary>Tensors smaller than this are not worth a sample.</summary>
    public const long MinimumCount = 1 << 18;

    private const int SampleBlocks = 512;
    private const int BlockLength = 32;
    private const int SampleSize = SampleBlocks * BlockLength;

    /// <summary>
    /// The set of the k largest magnitudes (1 ≤ k &lt; count), or false when the sample's bracket missed or held more
    /// than a sixteenth of the elements.
    /// </summary>
    public static bool TryLargest(TaskVectorMagnitudes.Source source, long k, out MagnitudeBoundary boundary)
    {
        boundary = default;
        long n = source.Count;
        if (n < MinimumCount || k < 1 || k >= n) return false;
        var (low, high) = Bracket(source, k);
        int capacity = (int)Math.Min(n / 16 + 4096, int.MaxValue / 2);
        var keys = ArrayPool<uint>.Shared.Rent(capacity);
        var offsets = ArrayPool<ushort>.Shared.Rent(capacity);
        try
        {
            var gathered = Gather(source, low, high, keys, offsets, capacity);
            if (gathered is not { } g || g.Above >= k || g.Above + g.Count < k) return false;
            boundary = Select(keys, offsets, g, k);
            return true;
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(keys);
            ArrayPool<ushort>.Shared.Return(offsets);
        }
    }

    /// <summary>Keys low ≤ key ≤ high are gathered, keys above high counted; the k-th key lies inside with high probability.</summary>
    private static (int Low, int High) Bracket(TaskVectorMagnitudes.Source source, long k)
    {
        long n = source.Count;
        var sample = new int[SampleSize];
        long step = (n - BlockLength) / (SampleBlocks - 1);
        for (int block = 0; block < SampleBlocks; block++)
        {
            long start = block * step;
            for (int j = 0; j < BlockLength; j++)
                sample[block * BlockLength + j] = (int)MagnitudeBoundary.KeyOf(source[start + j]);
        }
        Array.Sort(sample);
        double q = (double)k / n;
        double expected = q * SampleSize;
        double margin = 3.5 * Math.Sqrt(SampleSize * q * (1 - q)) + 4;
        long highRank = (long)Math.Floor(expected - margin);
        long lowRank = (long)Math.Ceiling(expected + margin);
        int high = highRank < 0 ? int.MaxValue : sample[SampleSize - 1 - highRank];
        int low = lowRank >= SampleSize ? 0 : sample[SampleSize - 1 - lowRank];
        return (low, high);
    }

    /// <summary>What the pass found: keys above the bracket, and where each chunk's gathered keys lie.</summary>
    private sealed class Gathered(long chunks)
    {
        public long Above;
        public int Count;
        public bool Overflow;
        public readonly int[] ChunkFirst = new int[chunks];
        public readonly int[] ChunkCount = new int[chunks];
    }

    private static Gathered? Gather(TaskVectorMagnitudes.Source source, int low, int high, uint[] keys, ushort[] offsets, int capacity)
    {
        long n = source.Count;
        var result = new Gathered((n + ElementChunks.Size - 1) / ElementChunks.Size);
        nint valuesAddress = source.Values, baseAddress = source.Base;
        var gate = new Lock();
        ElementChunks.For(n, () => new ChunkScratch(), (start, end, scratch) =>
        {
            long above = baseAddress == 0
                ? Scan<WithoutBase>((float*)valuesAddress, null, start, end, low, high, scratch)
                : Scan<WithBase>((float*)valuesAddress, (float*)baseAddress, start, end, low, high, scratch);
            scratch.Above += above;
            int count = scratch.Count;
            int first;
            lock (gate)
            {
                first = result.Count;
                if (result.Overflow || count > capacity - first)
                {
                    result.Overflow = true;
                    return;
                }
                result.Count += count;
            }
            long chunk = start / ElementChunks.Size;
            result.ChunkFirst[chunk] = first;
            result.ChunkCount[chunk] = count;
            Array.Copy(scratch.Keys, 0, keys, first, count);
            Array.Copy(scratch.Offsets, 0, offsets, first, count);
        }, scratch =>
        {
            result.Above += scratch.Above;
        });
        return result.Overflow ? null : result;
    }

    /// <summary>One worker's gather buffer for the chunk it is scanning, and its running count of keys above.</summary>
    private sealed class ChunkScratch
    {
        public readonly uint[] Keys = new uint[ElementChunks.Size];
        public readonly ushort[] Offsets = new ushort[ElementChunks.Size];
        public int Count;
        public long Above;
    }

    /// <summary>The delta loads of one pass, specialised so the loop has no branch on whether a base exists.</summary>
    private interface IDelta
    {
        static abstract Vector<float> Load(float* values, float* baseValues, long j);

        static abstract float At(float* values, float* baseValues, long j);
    }

    private readonly struct WithBase : IDelta
    {
        public static Vector<float> Load(float* values, float* baseValues, long j) =>
            Vector.Load(values + j) - Vector.Load(baseValues + j);

        public static float At(float* values, float* baseValues, long j) => values[j] - baseValues[j];
    }

    private readonly struct WithoutBase : IDelta
    {
        public static Vector<float> Load(float* values, float* baseValues, long j) => Vector.Load(values + j);

        public static float At(float* values, float* baseValues, long j) => values[j];
    }

    /// <summary>Counts keys above <paramref name="high"/> in [start, end) and gathers keys in [low, high] into the scratch.</summary>
    private static long Scan<TDelta>(float* values, float* baseValues, long start, long end, int low, int high, ChunkScratch scratch)
        where TDelta : struct, IDelta
    {
        int width = Vector<int>.Count;
        var magnitude = new Vector<int>(0x7FFFFFFF);
        var lowVector = new Vector<int>(low);
        var highVector = new Vector<int>(high);
        var aboveLanes = Vector<int>.Zero;
        int count = 0;
        var keys = scratch.Keys;
        var offsets = scratch.Offsets;
        int* lanes = stackalloc int[width];
        long j = start;
        for (; j + width <= end; j += width)
        {
            var key = Vector.AsVectorInt32(TDelta.Load(values, baseValues, j)) & magnitude;
            var above = Vector.GreaterThan(key, highVector);
            aboveLanes -= above;
            var inside = Vector.AndNot(Vector.GreaterThanOrEqual(key, lowVector), above);
            if (inside == Vector<int>.Zero) continue;
            key.Store(lanes);
            for (int lane = 0; lane < width; lane++)
            {
                int laneKey = lanes[lane];
                if (laneKey < low || laneKey > high) continue;
                keys[count] = (uint)laneKey;
                offsets[count] = (ushort)(j + lane - start);
                count++;
            }
        }
        long aboveCount = Vector.Sum(aboveLanes);
        for (; j < end; j++)
        {
            int key = (int)MagnitudeBoundary.KeyOf(TDelta.At(values, baseValues, j));
            if (key > high) aboveCount++;
            else if (key >= low)
            {
                keys[count] = (uint)key;
                offsets[count] = (ushort)(j - start);
                count++;
            }
        }
        scratch.Count = count;
        return aboveCount;
    }

    /// <summary>The exact boundary from the gathered keys (which hold the k-th largest and every key equal to it).</summary>
    private static MagnitudeBoundary Select(uint[] keys, ushort[] offsets, Gathered g, long k)
    {
        long rank = k - g.Above;
        var high = new long[1 << 16];
        for (int i = 0; i < g.Count; i++) high[keys[i] >> 16]++;
        var (highBucket, aboveHigh) = BucketOfRank(high, rank);
        var low = new long[1 << 16];
        for (int i = 0; i < g.Count; i++)
        {
            uint key = keys[i];
            if (key >> 16 == highBucket) low[key & 0xFFFF]++;
        }
        var (lowBucket, aboveLow) = BucketOfRank(low, rank - aboveHigh);
        uint threshold = ((uint)highBucket << 16) | (uint)lowBucket;
        long budget = rank - aboveHigh - aboveLow;
        if (budget >= low[lowBucket]) return new MagnitudeBoundary(threshold, long.MaxValue);
        long seen = 0;
        for (int chunk = 0; chunk < g.ChunkFirst.Length; chunk++)
        {
            int first = g.ChunkFirst[chunk], last = first + g.ChunkCount[chunk];
            for (int i = first; i < last; i++)
            {
                if (keys[i] == threshold && ++seen == budget)
                    return new MagnitudeBoundary(threshold, (long)chunk * ElementChunks.Size + offsets[i] + 1);
            }
        }
        throw new InvalidOperationException("fewer tied magnitudes than the bracket counted");
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
