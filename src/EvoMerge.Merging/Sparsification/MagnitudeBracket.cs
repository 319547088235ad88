using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;

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
    private const int SelectBuckets = 4096;

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
            boundary = Select(keys, offsets, g, k, low, high);
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
        double q = (double)k / n;
        double expected = q * SampleSize;
        double margin = 3.5 * Math.Sqrt(SampleSize * q * (1 - q)) + 4;
        long highRank = (long)Math.Floor(expected - margin);
        long lowRank = (long)Math.Ceiling(expected + margin);
        int high = highRank < 0 ? int.MaxValue : Smallest(sample, (int)(SampleSize - 1 - highRank));
        int low = lowRank >= SampleSize ? 0 : Smallest(sample, (int)(SampleSize - 1 - lowRank));
        return (low, high);
    }

    /// <summary>The value that would sit at <paramref name="index"/> if <paramref name="values"/> were sorted (reorders them; quickselect).</summary>
    private static int Smallest(int[] values, int index)
    {
        int from = 0, to = values.Length - 1;
        for (int round = 0; from < to; round++)
        {
            if (round == 64)
            {
                Array.Sort(values, from, to - from + 1);
                break;
            }
            int a = values[from], b = values[from + (to - from) / 2], c = values[to];
            int pivot = Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
            int i = from, j = to;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            if (index <= j) to = j;
            else if (index >= i) from = i;
            else break;
        }
        return values[index];
    }

    /// <summary>What the pass found: keys above the bracket, and where each chunk's gathered keys lie.</summary>
    private sealed class Gathered(long chunks)
    {
        private long _above;
        public int Count;
        public bool Overflow;
        public readonly int[] ChunkFirst = new int[chunks];
        public readonly int[] ChunkCount = new int[chunks];

        public long Above => Interlocked.Read(ref _above);

        public void AddAbove(long count) => Interlocked.Add(ref _above, count);
    }

    private static Gathered? Gather(TaskVectorMagnitudes.Source source, int low, int high, uint[] keys, ushort[] offsets, int capacity)
    {
        long n = source.Count;
        var result = new Gathered((n + ElementChunks.Size - 1) / ElementChunks.Size);
        nint valuesAddress = source.Values, baseAddress = source.Base;
        var gate = new Lock();
        ElementChunks.For(n, (start, end) =>
        {
            var scratch = _scratch ??= new ChunkScratch();
            long above = Scan((float*)valuesAddress, (float*)baseAddress, start, end, low, high, scratch);
            result.AddAbove(above);
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
        });
        return result.Overflow ? null : result;
    }

    [ThreadStatic]
    private static ChunkScratch? _scratch;

    /// <summary>A thread's gather buffer for the chunk it is scanning (reused across chunks and calls).</summary>
    private sealed class ChunkScratch
    {
        public readonly uint[] Keys = new uint[ElementChunks.Size];
        public readonly ushort[] Offsets = new ushort[ElementChunks.Size];
        public int Count;
    }

    /// <summary>
    /// Counts keys above <paramref name="high"/> in [start, end) and gathers keys in [low, high] into the scratch. The
    /// in-bracket lanes of each vector are visited through a bit mask, so the loop has no unpredictable branch per lane.
    /// </summary>
    private static long Scan(float* values, float* baseValues, long start, long end, int low, int high, ChunkScratch scratch)
    {
        const int width = 8;
        var magnitude = Vector256.Create(0x7FFFFFFF);
        var belowLow = Vector256.Create(low - 1);
        var highVector = Vector256.Create(high);
        var aboveLanes = Vector256<int>.Zero;
        int count = 0;
        int* lanes = stackalloc int[width];
        long j = start;
        fixed (uint* keys = scratch.Keys)
        fixed (ushort* offsets = scratch.Offsets)
        {
            for (; j + width <= end; j += width)
            {
                var delta = baseValues == null ? Vector256.Load(values + j) : Vector256.Load(values + j) - Vector256.Load(baseValues + j);
                var key = delta.AsInt32() & magnitude;
                var above = Vector256.GreaterThan(key, highVector);
                aboveLanes -= above;
                uint inside = Vector256.AndNot(Vector256.GreaterThan(key, belowLow), above).ExtractMostSignificantBits();
                if (inside == 0) continue;
                key.Store(lanes);
                int offset = (int)(j - start);
                do
                {
                    int lane = BitOperations.TrailingZeroCount(inside);
                    inside &= inside - 1;
                    keys[count] = (uint)lanes[lane];
                    offsets[count] = (ushort)(offset + lane);
                    count++;
                }
                while (inside != 0);
            }
            for (; j < end; j++)
            {
                int key = (int)MagnitudeBoundary.KeyOf(baseValues == null ? values[j] : values[j] - baseValues[j]);
                if (key > high) aboveLanes += Vector256.CreateScalar(1);
                else if (key >= low)
                {
                    keys[count] = (uint)key;
                    offsets[count] = (ushort)(j - start);
                    count++;
                }
            }
        }
        scratch.Count = count;
        return Vector256.Sum(aboveLanes);
    }

    /// <summary>
    /// The exact boundary from the gathered keys, which hold the k-th largest key and every key equal to it: histograms
    /// of at most <see cref="SelectBuckets"/> buckets narrow the key range to the k-th key, then the gathered keys, in
    /// index order, give where its tie budget ends.
    /// </summary>
    private static MagnitudeBoundary Select(uint[] keys, ushort[] offsets, Gathered g, long k, int low, int high)
    {
        long rank = k - g.Above;
        uint from = (uint)low, to = (uint)high;
        var counts = new int[SelectBuckets];
        while (true)
        {
            int shift = 0;
            while ((to - from) >> shift >= SelectBuckets) shift++;
            int buckets = (int)((to - from) >> shift) + 1;
            Array.Clear(counts, 0, buckets);
            for (int i = 0; i < g.Count; i++)
            {
                uint key = keys[i];
                if (key >= from && key <= to) counts[(key - from) >> shift]++;
            }
            int bucket = buckets - 1;
            while (counts[bucket] < rank)
            {
                rank -= counts[bucket];
                bucket--;
            }
            from += (uint)bucket << shift;
            if (shift == 0) return TieEnd(keys, offsets, g, from, rank, counts[bucket]);
            to = Math.Min(to, from + ((1u << shift) - 1));
        }
    }

    /// <summary>Keys equal to <paramref name="threshold"/> are kept in index order until <paramref name="budget"/> are.</summary>
    private static MagnitudeBoundary TieEnd(uint[] keys, ushort[] offsets, Gathered g, uint threshold, long budget, long tied)
    {
        if (budget >= tied) return new MagnitudeBoundary(threshold, long.MaxValue);
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
}
