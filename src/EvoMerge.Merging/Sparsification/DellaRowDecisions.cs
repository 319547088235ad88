using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// della's keep decisions for one row of a task vector with x86 vector instructions (AVX2, and AVX-512 where it is
/// accelerated), the same decisions as a full stable ranking (descending magnitude, equal magnitudes by column) for
/// rows of at most 65 536 elements whose keep probability falls with the rank (epsilon &gt; 0). Element c is kept when
/// its 24-bit draw u (<see cref="CounterRandom"/>) is below <c>P(rank) = (density + epsilon − rank·2·epsilon/(n − 1))·2²⁴</c>
/// rounded to float32, as <see cref="DellaMagnitudePrune.RowProbability"/>.
/// <list type="number">
/// <item>Buckets: each magnitude key (<c>0x7FFFFFFF − |δ|'s bits</c>, ascending = descending magnitude) falls in one of
/// 1024 buckets 1/64 of a binade wide from the row's largest magnitude down (the last bucket takes everything 16
/// binades or more below it); one counting pass gives every bucket its range of ranks [first, last].</item>
/// <item>Draws: an element is kept at once when every rank of its bucket keeps it (last &lt; R(u) − margin, R(u) the
/// real rank where P crosses u) and dropped when none does (first &gt; R(u) + margin); the margins (one unit of P
/// for the float32 rounding of P, half a rank for the float32 arithmetic of R) make both tests sure. About one
/// element in 900 is left undecided on Gaussian rows of 2048 or 5632.</item>
/// <item>Undecided: the members of each bucket that holds one are gathered in column order with their keys (a vector
/// compress per 16 columns with AVX-512); the undecided elements get their exact rank (bucket start + members ordered
/// before them) and are compared with the float32 probability table itself. A bucket of one repeated magnitude (a tie)
/// is already in rank order. Beyond 16 such buckets in a row all their members are grouped in one pass.</item>
/// </list>
/// </summary>
internal static unsafe class DellaRowDecisions
{
    private const int Buckets = 1024;
    private const int BucketShift = 17;
    private const int ScannedBuckets = 16;

    /// <summary>Whether these decisions apply: x86 with AVX2, 1 ≤ n ≤ 65 536, keep probability falling with the rank.</summary>
    public static bool Applies(int n, float[] probability) =>
        Avx2.IsSupported && n >= 1 && n <= 65536 && probability[0] > probability[n - 1];

    /// <summary>
    /// Decides the row [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="n"/>) of δ =
    /// values − base (base may be null): bit c of <paramref name="words"/> (little-endian 64-bit words, ⌈n/64⌉ of them)
    /// is set when column c is kept. <paramref name="probability"/> is the row's table of P(rank) (already ·2²⁴).
    /// <paramref name="wide"/>: 16 lanes (AVX-512) rather than 8 in the draw pass, and a bucket's columns gathered by
    /// vector compress (AVX-512F); by default where AVX-512 is accelerated.
    /// </summary>
    public static void Decide(float* values, float* baseValues, long offset, int n, double density, double epsilon,
        float[] probability, ulong key, ulong* words, Buffers buffers, bool? wide = null)
    {
        fixed (ushort* ids = buffers.Ids)
        fixed (int* starts = buffers.Starts, ranges = buffers.Ranges)
        fixed (float* draws = buffers.Draws, prob = probability)
        {
            int top = BucketIds(values, baseValues, n, ids);
            bool sixteen = wide ?? Vector512.IsHardwareAccelerated;
            Count(ids, n, top, starts, ranges, sixteen && Avx512F.IsSupported);
            // R(u) = (A − u)/S with A = (density + epsilon)·2²⁴, S = 2·epsilon/(n − 1)·2²⁴; kept when last < R(u − 1) − ½,
            // dropped when first > R(u + 1) + ½.
            double step = n <= 1 ? 1.0 : 2 * epsilon / (n - 1) * (1 << 24);
            float a = (float)((density + epsilon) * (1 << 24));
            float inverseStep = (float)(1.0 / step);
            float keptLimit = (float)(a - 1 - 0.5 * step), droppedLimit = (float)(a + 1 + 0.5 * step);
            int open = Classify(ids, n, offset, key, ranges, prob, keptLimit, droppedLimit, inverseStep, draws, words, buffers, sixteen);
            if (open > 0)
                Resolve(values, baseValues, ids, starts, n, prob, draws, words, buffers, open, sixteen && Avx512F.IsSupported);
        }
    }

    /// <summary>Writes each column's bucket and returns the highest bucket used.</summary>
    private static int BucketIds(float* values, float* baseValues, int n, ushort* ids)
    {
        var minimum = Vector256.Create(uint.MaxValue);
        int c = 0;
        for (; c + 8 <= n; c += 8) minimum = Vector256.Min(minimum, Keys(values, baseValues, c));
        uint smallest = uint.MaxValue;
        for (int lane = 0; lane < 8; lane++) smallest = Math.Min(smallest, minimum.GetElement(lane));
        for (; c < n; c++) smallest = Math.Min(smallest, Key(values, baseValues, c));
        var origin = Vector256.Create(smallest);
        var last = Vector256.Create((uint)(Buckets - 1));
        var highest = Vector256<uint>.Zero;
        for (c = 0; c + 16 <= n; c += 16)
        {
            var low = Vector256.Min(Vector256.ShiftRightLogical(Keys(values, baseValues, c) - origin, BucketShift), last);
            var high = Vector256.Min(Vector256.ShiftRightLogical(Keys(values, baseValues, c + 8) - origin, BucketShift), last);
            highest = Vector256.Max(highest, Vector256.Max(low, high));
            Vector256.Narrow(low, high).Store(ids + c);
        }
        int top = 0;
        for (int lane = 0; lane < 8; lane++) top = (int)Math.Max((uint)top, highest.GetElement(lane));
        for (; c < n; c++)
        {
            int id = (int)Math.Min((Key(values, baseValues, c) - smallest) >> BucketShift, Buckets - 1);
            ids[c] = (ushort)id;
            top = Math.Max(top, id);
        }
        return top;
    }

    /// <summary>
    /// Counts the buckets; starts[b] becomes bucket b's first rank and ranges[b] = first | last &lt;&lt; 16 (b ≤ top;
    /// starts[top + 1] = n). <paramref name="scan"/>: the prefix sums 16 buckets at a time (AVX-512).
    /// </summary>
    private static void Count(ushort* ids, int n, int top, int* starts, int* ranges, bool scan)
    {
        int blocks = (top + 16) >> 4;
        new Span<int>(starts, Math.Max(blocks << 4, top + 2)).Clear();
        int c = 0;
        for (; c + 4 <= n; c += 4)
        {
            starts[ids[c]]++;
            starts[ids[c + 1]]++;
            starts[ids[c + 2]]++;
            starts[ids[c + 3]]++;
        }
        for (; c < n; c++) starts[ids[c]]++;
        if (scan)
        {
            ScanBlocks(starts, ranges, blocks);
            starts[top + 1] = n;
            return;
        }
        int total = 0;
        for (int b = 0; b <= top; b++)
        {
            int count = starts[b];
            starts[b] = total;
            ranges[b] = total | ((total + count - 1) << 16);
            total += count;
        }
        starts[top + 1] = total;
    }

    /// <summary>
    /// The exclusive prefix sums of the counts in <paramref name="blocks"/> blocks of 16 (in place) and the packed
    /// ranges, each block by an in-register scan (lanes shifted up by 1, 2, 4, 8 and added) plus the running total.
    /// </summary>
    private static void ScanBlocks(int* starts, int* ranges, int blocks)
    {
        var zero = Vector512<int>.Zero;
        var one = Vector512.Create(1);
        var carry = zero;
        for (int k = 0; k < blocks; k++)
        {
            var count = Vector512.Load(starts + (k << 4));
            var sum = count + Avx512F.AlignRight32(count, zero, 15);
            sum += Avx512F.AlignRight32(sum, zero, 14);
            sum += Avx512F.AlignRight32(sum, zero, 12);
            sum += Avx512F.AlignRight32(sum, zero, 8);
            sum += carry;
            var first = sum - count;
            first.Store(starts + (k << 4));
            (first | Vector512.ShiftLeft(sum - one, 16)).Store(ranges + (k << 4));
            carry = Vector512.Create(sum.GetElement(15));
        }
    }

    /// <summary>
    /// Draws every element, stores the draws, writes the sure decisions into <paramref name="words"/> and lists the
    /// buckets with undecided elements in <see cref="Buffers.Open"/>; returns how many.
    /// </summary>
    private static int Classify(ushort* ids, int n, long offset, ulong key, int* ranges, float* prob, float keptLimit,
        float droppedLimit, float inverseStep, float* draws, ulong* words, Buffers buffers, bool wide)
    {
        int open = 0;
        int whole = n >> 6;
        for (int w = 0; w < whole; w++)
        {
            int column = w << 6;
            long start = offset + column;
            ulong kept, undecided;
            if ((start >> 32) != ((start + 63) >> 32))
                (kept, undecided) = ClassifyOneByOne(ids, column, 64, start, key, ranges, prob, draws);
            else if (wide)
                (kept, undecided) = Classify64x16(ids, column, start, key, ranges, keptLimit, droppedLimit, inverseStep, draws);
            else
                (kept, undecided) = Classify64x8(ids, column, start, key, ranges, keptLimit, droppedLimit, inverseStep, draws);
            words[w] = kept;
            buffers.Undecided[w] = undecided;
            open = Note(undecided, column, ids, buffers, open);
        }
        if ((n & 63) != 0)
        {
            int column = whole << 6;
            var (kept, undecided) = ClassifyOneByOne(ids, column, n - column, offset + column, key, ranges, prob, draws);
            words[whole] = kept;
            buffers.Undecided[whole] = undecided;
            open = Note(undecided, column, ids, buffers, open);
        }
        return open;
    }

    private static (ulong Kept, ulong Undecided) Classify64x16(ushort* ids, int column, long start, ulong key, int* ranges,
        float keptLimit, float droppedLimit, float inverseStep, float* draws)
    {
        var keptAt = Vector512.Create(keptLimit);
        var droppedAt = Vector512.Create(droppedLimit);
        var scale = Vector512.Create(inverseStep);
        var lowHalf = Vector512.Create(0xFFFF);
        ulong kept = 0, undecided = 0;
        for (int j = 0; j < 64; j += 16)
        {
            var bucket = Vector512.WidenLower(Vector256.Load(ids + column + j).ToVector512Unsafe()).AsInt32();
            var range = Vector512.Create(Avx2.GatherVector256(ranges, bucket.GetLower(), 4), Avx2.GatherVector256(ranges, bucket.GetUpper(), 4));
            var u = Vector512.ConvertToSingle(CounterRandom.Draws24x16(key, start + j).AsInt32());
            u.Store(draws + column + j);
            var first = Vector512.ConvertToSingle(range & lowHalf);
            var last = Vector512.ConvertToSingle(Vector512.ShiftRightLogical(range, 16));
            var sure = Vector512.LessThan(last, (keptAt - u) * scale);
            kept |= sure.ExtractMostSignificantBits() << j;
            undecided |= (~sure & Vector512.LessThanOrEqual(first, (droppedAt - u) * scale)).ExtractMostSignificantBits() << j;
        }
        return (kept, undecided);
    }

    private static (ulong Kept, ulong Undecided) Classify64x8(ushort* ids, int column, long start, ulong key, int* ranges,
        float keptLimit, float droppedLimit, float inverseStep, float* draws)
    {
        var keptAt = Vector256.Create(keptLimit);
        var droppedAt = Vector256.Create(droppedLimit);
        var scale = Vector256.Create(inverseStep);
        var lowHalf = Vector256.Create(0xFFFF);
        ulong kept = 0, undecided = 0;
        for (int j = 0; j < 64; j += 8)
        {
            var bucket = Vector256.WidenLower(Vector128.Load(ids + column + j).ToVector256Unsafe()).AsInt32();
            var range = Avx2.GatherVector256(ranges, bucket, 4);
            var u = Vector256.ConvertToSingle(CounterRandom.Draws24x8(key, start + j).AsInt32());
            u.Store(draws + column + j);
            var first = Vector256.ConvertToSingle(range & lowHalf);
            var last = Vector256.ConvertToSingle(Vector256.ShiftRightLogical(range, 16));
            var sure = Vector256.LessThan(last, (keptAt - u) * scale);
            kept |= (ulong)sure.ExtractMostSignificantBits() << j;
            undecided |= (ulong)(~sure & Vector256.LessThanOrEqual(first, (droppedAt - u) * scale)).ExtractMostSignificantBits() << j;
        }
        return (kept, undecided);
    }

    /// <summary>Up to 64 elements one at a time, against the probabilities of their bucket's first and last rank.</summary>
    private static (ulong Kept, ulong Undecided) ClassifyOneByOne(ushort* ids, int column, int count, long start, ulong key,
        int* ranges, float* prob, float* draws)
    {
        ulong kept = 0, undecided = 0;
        for (int j = 0; j < count; j++)
        {
            int range = ranges[ids[column + j]];
            float u = draws[column + j] = CounterRandom.Bits(key, start + j) >> 8;
            if (u < prob[(int)((uint)range >> 16)]) kept |= 1UL << j;
            else if (u < prob[range & 0xFFFF]) undecided |= 1UL << j;
        }
        return (kept, undecided);
    }

    private static int Note(ulong undecided, int column, ushort* ids, Buffers buffers, int open)
    {
        while (undecided != 0)
        {
            int b = ids[column + BitOperations.TrailingZeroCount(undecided)];
            undecided &= undecided - 1;
            if (buffers.Flag[b] == 0)
            {
                buffers.Flag[b] = 1;
                buffers.Open[open++] = b;
            }
        }
        return open;
    }

    /// <summary>Decides the open buckets' members by their exact ranks.</summary>
    private static void Resolve(float* values, float* baseValues, ushort* ids, int* starts, int n, float* prob, float* draws,
        ulong* words, Buffers buffers, int open, bool compress)
    {
        ulong[] members = buffers.Members;
        if (open > ScannedBuckets)
        {
            Group(values, baseValues, ids, starts, n, buffers, open);
            for (int o = 0; o < open; o++)
            {
                int b = buffers.Open[o];
                buffers.Flag[b] = 0;
                DecideAll(members, starts[b], starts[b + 1], prob, draws, words);
            }
            return;
        }
        int[] pending = buffers.Pending;
        for (int o = 0; o < open; o++)
        {
            int b = buffers.Open[o];
            buffers.Flag[b] = 0;
            int first = starts[b];
            var (m, u, mixed) = Members(values, baseValues, ids, n, b, buffers, compress);
            if (mixed && u > 64)
            {
                Array.Sort(members, 0, m);
                DecideAll(members, 0, m, prob + first, draws, words);
                continue;
            }
            for (int i = 0; i < u; i++)
            {
                ulong pair = members[pending[i]];
                int rank = first + pending[i];
                if (mixed)
                {
                    rank = first;
                    for (int j = 0; j < m; j++) rank += members[j] < pair ? 1 : 0;
                }
                Set(words, (int)(uint)pair, draws[(int)(uint)pair] < prob[rank]);
            }
        }
    }

    /// <summary>
    /// Bucket <paramref name="bucket"/>'s members in column order as (key, column) pairs in <see cref="Buffers.Members"/>,
    /// and the positions among them of the undecided ones in <see cref="Buffers.Pending"/>. Returns the member count,
    /// the undecided count, and whether the keys differ.
    /// </summary>
    private static (int Members, int Pending, bool Mixed) Members(float* values, float* baseValues, ushort* ids, int n, int bucket,
        Buffers buffers, bool compress)
    {
        fixed (int* columns = buffers.Columns)
        {
            int found = compress
                ? ColumnsOf16(ids, n, bucket, columns)
                : ColumnsOf32(ids, n, bucket, columns);
            ulong[] members = buffers.Members;
            ulong[] undecided = buffers.Undecided;
            int[] pending = buffers.Pending;
            int u = 0;
            uint differ = 0, firstKey = found > 0 ? Key(values, baseValues, columns[0]) : 0;
            for (int i = 0; i < found; i++)
            {
                int column = columns[i];
                uint k = Key(values, baseValues, column);
                differ |= k ^ firstKey;
                pending[u] = i;
                u += (int)((undecided[column >> 6] >> (column & 63)) & 1);
                members[i] = ((ulong)k << 32) | (uint)column;
            }
            return (found, u, differ != 0);
        }
    }

    /// <summary>The columns of <paramref name="bucket"/> in order, 16 ids per step, each step's hits packed by a vector compress.</summary>
    private static int ColumnsOf16(ushort* ids, int n, int bucket, int* columns)
    {
        var target = Vector512.Create(bucket);
        var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        int found = 0, c = 0;
        for (; c + 16 <= n; c += 16)
        {
            var hit = Vector512.Equals(Vector512.WidenLower(Vector256.Load(ids + c).ToVector512Unsafe()).AsInt32(), target);
            Avx512F.Compress(Vector512<int>.Zero, hit, lanes + Vector512.Create(c)).Store(columns + found);
            found += BitOperations.PopCount(hit.ExtractMostSignificantBits());
        }
        for (; c < n; c++)
            if (ids[c] == bucket) columns[found++] = c;
        return found;
    }

    /// <summary>The columns of <paramref name="bucket"/> in order, 32 ids per compare.</summary>
    private static int ColumnsOf32(ushort* ids, int n, int bucket, int* columns)
    {
        var target = Vector256.Create((ushort)bucket);
        int found = 0, c = 0;
        for (; c + 32 <= n; c += 32)
        {
            uint hits = Vector256.Narrow(Vector256.Equals(Vector256.Load(ids + c), target), Vector256.Equals(Vector256.Load(ids + c + 16), target)).ExtractMostSignificantBits();
            while (hits != 0)
            {
                columns[found++] = c + BitOperations.TrailingZeroCount(hits);
                hits &= hits - 1;
            }
        }
        for (; c < n; c++)
            if (ids[c] == bucket) columns[found++] = c;
        return found;
    }

    /// <summary>Places every member of the open buckets at its bucket's slice of <see cref="Buffers.Members"/>, in column order.</summary>
    private static void Group(float* values, float* baseValues, ushort* ids, int* starts, int n, Buffers buffers, int open)
    {
        int[] cursor = buffers.Cursor;
        byte[] flag = buffers.Flag;
        ulong[] members = buffers.Members;
        Array.Fill(cursor, n);
        for (int o = 0; o < open; o++) cursor[buffers.Open[o]] = starts[buffers.Open[o]];
        // Members of other buckets are written to the spare slot n, whose cursor never moves.
        for (int c = 0; c < n; c++)
        {
            int b = ids[c];
            int at = cursor[b];
            members[at] = ((ulong)Key(values, baseValues, c) << 32) | (uint)c;
            cursor[b] = at + flag[b];
        }
    }

    /// <summary>Sorts members[from, to) by (key, column) and decides each by its rank (rank 0 at <paramref name="prob"/>[from]).</summary>
    private static void DecideAll(ulong[] members, int from, int to, float* prob, float* draws, ulong* words)
    {
        bool sorted = true;
        for (int i = from + 1; i < to && sorted; i++) sorted = members[i - 1] < members[i];
        if (!sorted) Array.Sort(members, from, to - from);
        for (int rank = from; rank < to; rank++)
        {
            int column = (int)(uint)members[rank];
            Set(words, column, draws[column] < prob[rank]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Set(ulong* words, int column, bool keep)
    {
        ulong bit = 1UL << (column & 63);
        words[column >> 6] = keep ? words[column >> 6] | bit : words[column >> 6] & ~bit;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Key(float* values, float* baseValues, int c) =>
        0x7FFFFFFFu - (BitConverter.SingleToUInt32Bits(baseValues == null ? values[c] : values[c] - baseValues[c]) & 0x7FFFFFFFu);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Keys(float* values, float* baseValues, int c)
    {
        var magnitude = Vector256.Create(0x7FFFFFFFu);
        var d = baseValues == null ? Vector256.Load(values + c) : Vector256.Load(values + c) - Vector256.Load(baseValues + c);
        return magnitude - (d.AsUInt32() & magnitude);
    }

    /// <summary>One thread's work space for rows of up to <see cref="Capacity"/> elements.</summary>
    internal sealed class Buffers(int capacity)
    {
        /// <summary>The longest row these buffers take.</summary>
        public int Capacity { get; } = capacity;

        /// <summary>Each column's bucket (padded for whole-vector loads).</summary>
        public ushort[] Ids { get; } = new ushort[capacity + 32];

        /// <summary>Bucket counts, then each bucket's first rank (whole blocks of 16, plus one).</summary>
        public int[] Starts { get; } = new int[Buckets + 16];

        /// <summary>Each bucket's first and last rank packed as first | last &lt;&lt; 16 (whole blocks of 16).</summary>
        public int[] Ranges { get; } = new int[Buckets];

        /// <summary>Each column's 24-bit draw as a float.</summary>
        public float[] Draws { get; } = new float[capacity + 16];

        /// <summary>(key, column) pairs of open buckets' members, plus one spare slot.</summary>
        public ulong[] Members { get; } = new ulong[capacity + 1];

        /// <summary>Positions among a bucket's members of its undecided elements.</summary>
        public int[] Pending { get; } = new int[capacity + 1];

        /// <summary>The buckets with undecided elements, in the order found.</summary>
        public int[] Open { get; } = new int[Buckets];

        /// <summary>1 for a bucket listed in <see cref="Open"/>.</summary>
        public byte[] Flag { get; } = new byte[Buckets];

        /// <summary>Next free slot per bucket while grouping.</summary>
        public int[] Cursor { get; } = new int[Buckets];

        /// <summary>A row's decisions, one bit per column.</summary>
        public ulong[] Words { get; } = new ulong[(capacity + 63) / 64 + 1];

        /// <summary>The columns the draw pass left undecided, one bit per column.</summary>
        public ulong[] Undecided { get; } = new ulong[(capacity + 63) / 64 + 1];

        /// <summary>One bucket's columns (padded for a whole-vector store).</summary>
        public int[] Columns { get; } = new int[capacity + 16];
    }
}
