using System.Numerics;
using EvoMerge.Merging.Methods;
using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// DELLA "MagPrune" (mergekit's <c>della_magprune</c> sparsifier): per row (a 1-D tensor is one row; otherwise
/// along dimension 1), the element of descending magnitude rank p (0 = largest, n elements) is kept with probability
/// <c>(density + epsilon) − 2·epsilon·p/(n − 1)</c> (<see cref="RowProbability"/>): the smallest with density − epsilon,
/// the largest with density + epsilon; element i is kept when its <see cref="CounterRandom"/> uniform (the model's own
/// stream) is below that probability. The family then applies the L1 rescale.
/// density ≥ 1 keeps everything, density ≤ 0 drops everything; otherwise density ± epsilon must lie in (0, 1), as
/// mergekit requires. A negative epsilon reverses the probabilities (the smallest magnitude kept with density + |epsilon|),
/// as mergekit's formula does; they must then lie in [0, 1], where mergekit's <c>torch.bernoulli</c> accepts them.
/// Deviations: ranks are exact in every dtype (mergekit stores them in the work dtype,
/// so bf16 quantises them); equal magnitudes rank by index as in the TIES trim; a row of one element is kept with
/// probability density (mergekit divides 0 by 0 there). Rows run in parallel. On x86 with AVX2 (rows of up to 65 536
/// elements, epsilon &gt; 0) a row is decided by <see cref="DellaRowDecisions"/>; elsewhere one counting pass over the
/// top bits of the float32 magnitudes decides most elements from their rank range, and only the undecided ones are
/// ranked exactly (a stable radix sort of the magnitude bits where many magnitudes are equal). Both give the decisions
/// of a full stable ranking.
/// </summary>
public sealed class DellaMagnitudePrune : ITaskVectorSparsifier, IElementDropSparsifier
{
    private const int DigitBits = 11;
    private const int Digits = 1 << DigitBits;
    private const int TopShift = 31 - DigitBits;
    private const int UndecidedWorkPerElement = 32;

    [ThreadStatic]
    private static RowBuffers? _buffers;

    [ThreadStatic]
    private static DellaRowDecisions.Buffers? _rowDecisions;

    /// <summary>The shared instance (the sparsifier is stateless).</summary>
    public static DellaMagnitudePrune Instance { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } =
    [
        MergeParameter.Number("epsilon", ParameterScope.PerModel, 0.15).Within(ParameterDomain.NonNegative)
            .AcceptingUnusual(new(ParameterDomain.Any,
                "DELLA's keep probabilities are reversed, so smaller magnitudes are kept more often than larger ones", ""))
            .Searched(new SearchGene(0.0, 0.1, "della's per-model epsilon, the spread of keep probabilities around the density")),
    ];

    /// <summary>Any density ≤ 0, which drops every element (mergekit's <c>della_magprune</c> returns zeros there).</summary>
    public UnusualValues? UnusualDensity { get; } = new(ParameterDomain.Any,
        "DELLA keeps no element, so this model adds nothing to the merge", "every element is kept");

    /// <inheritdoc/>
    public bool UsesRandomness => true;

    /// <summary>
    /// A searched epsilon that would put density ± epsilon outside (0, 1) (with density in (0, 1)) cut to just inside:
    /// min(density, 1 − density)·(1 − 10⁻⁶). The gene ranges cannot express the coupling (density [0.1, 1], epsilon
    /// [0, 0.1] by default), and such a candidate would otherwise fail to merge.
    /// </summary>
    public IReadOnlyDictionary<string, double> Feasible(IReadOnlyDictionary<string, double> perModel)
    {
        if (!perModel.TryGetValue("density", out double density) || !perModel.TryGetValue("epsilon", out double epsilon)
            || !(density > 0 && density < 1) || !(epsilon >= 0) || (density - epsilon > 0 && density + epsilon < 1))
            return perModel;
        return new SortedDictionary<string, double>(perModel.ToDictionary(), StringComparer.Ordinal)
        {
            ["epsilon"] = Math.Min(density, 1 - density) * (1 - 1e-6),
        };
    }

    /// <inheritdoc/>
    public torch.Tensor? KeepMask(torch.Tensor taskVector, MergeInput input, MergeContext context)
    {
        var (density, epsilon) = Checked(input, context);
        return Mask(taskVector, density, epsilon, CounterRandom.StreamKey(context, input));
    }

    long? IElementDropSparsifier.RowLength(long[] shape) => shape.Length switch
    {
        0 => 1,
        1 => shape[0],
        2 => shape[1],
        _ => null,
    };

    torch.Tensor? IElementDropSparsifier.KeepMask(TaskVectorMagnitudes.Source source, long rowLength, MergeInput input, MergeContext context)
    {
        var (density, epsilon) = Checked(input, context);
        if (density >= 1)
            return null;
        if (density <= 0)
            return torch.zeros(source.Count, torch.ScalarType.Bool);
        return Fill(source, rowLength, density, epsilon, CounterRandom.StreamKey(context, input), packed: false, norms: false).Mask;
    }

    (torch.Tensor? Bits, CounterDrawKeep? Draws, (double Whole, double Kept)? Norms) IElementDropSparsifier.Keep(TaskVectorMagnitudes.Source source,
        long rowLength, MergeInput input, MergeContext context, bool norms)
    {
        var (density, epsilon) = Checked(input, context);
        if (density >= 1)
            return (null, null, null);
        if (density <= 0)
        {
            var none = KeepBits.Zeros(source.Count);
            return (none, null, norms ? MaskedL1Norms.OfBits(source, Address(none)) : null);
        }
        var (bits, sums) = Fill(source, rowLength, density, epsilon, CounterRandom.StreamKey(context, input), packed: true, norms);
        return (bits, null, norms ? sums ?? MaskedL1Norms.OfBits(source, Address(bits)) : null);
    }

    /// <summary>The keep probability of descending rank <paramref name="position"/> in a row of <paramref name="count"/>.</summary>
    public static double KeepProbability(double density, double epsilon, long position, long count) =>
        count <= 1 ? density : density + epsilon - 2 * epsilon * position / (count - 1);

    /// <summary>
    /// The keep probability the mask compares with, in float32: <c>(density + epsilon) − position·(2·epsilon/(n − 1))</c>
    /// evaluated in float64 and rounded (density itself for a row of one element).
    /// </summary>
    public static float RowProbability(double density, double epsilon, long position, long count) =>
        count <= 1 ? (float)density : (float)(density + epsilon - position * (2 * epsilon / (count - 1)));

    /// <summary>The keep-mask of x's shape from <paramref name="random"/>'s seed (stream 0); null when density ≥ 1, all false when density ≤ 0.</summary>
    public static torch.Tensor? Mask(torch.Tensor x, double density, double epsilon, torch.Generator random) =>
        Mask(x, density, epsilon, CounterRandom.StreamKey((ulong)random.initial_seed(), 0));

    /// <summary>The pruned tensor (a new tensor), L1-rescaled when asked; density ≥ 1 returns a copy.</summary>
    public static torch.Tensor Apply(torch.Tensor x, double density, double epsilon, torch.Generator random, bool rescale = true)
    {
        using var scope = torch.NewDisposeScope();
        var mask = Mask(x, density, epsilon, random);
        if (mask is null)
            return x.clone().MoveToOuterDisposeScope();
        var result = x.clone();
        MaskedL1Norms.ApplyInPlace(result, mask, rescale);
        return result.MoveToOuterDisposeScope();
    }

    private static torch.Tensor? Mask(torch.Tensor x, double density, double epsilon, ulong key)
    {
        if (density >= 1)
            return null;
        using var scope = torch.NewDisposeScope();
        if (density <= 0)
            return torch.zeros(x.shape, torch.ScalarType.Bool, x.device).MoveToOuterDisposeScope();
        // Rows along dimension 1, made contiguous: a tensor of three or more dimensions moves dimension 1 last.
        var rows = x.dim() > 2 ? x.movedim([1L], [-1L]) : x;
        long rowLength = x.dim() switch { 0 => 1, 1 => x.shape[0], _ => x.shape[1] };
        var wide = rows.to(torch.ScalarType.Float32).cpu().contiguous();
        var flat = Fill(new TaskVectorMagnitudes.Source(Address(wide), 0, wide.numel()), rowLength, density, epsilon, key, packed: false, norms: false).Mask;
        var mask = x.dim() > 2 ? flat.view(rows.shape).movedim([-1L], [1L]) : flat.view(x.shape);
        return mask.contiguous().to(x.device).MoveToOuterDisposeScope();
    }

    private static (double Density, double Epsilon) Checked(MergeInput input, MergeContext context)
    {
        double density = ParameterLookup.PerModel(context, input, "density");
        double epsilon = ParameterLookup.PerModel(context, input, "epsilon");
        if (double.IsNaN(density))
            throw MergeException.ForTensor(context.TensorName, $"density of model '{input.Model}' is not a number");
        if (density > 0 && density < 1)
        {
            if (epsilon < 0 && !(density + epsilon >= 0 && density - epsilon <= 1))
                throw MergeException.ForTensor(context.TensorName,
                    $"density {density} ± epsilon {epsilon} of model '{input.Model}' must lie in [0, 1] (keep probabilities)");
            if (!(epsilon < 0) && !(density - epsilon > 0 && density + epsilon < 1))
                throw MergeException.ForTensor(context.TensorName,
                    $"density {density} ± epsilon {epsilon} of model '{input.Model}' must lie in (0, 1)");
        }
        if (context.Random is null)
            throw MergeException.ForTensor(context.TensorName, "a random drop needs a seed (no generator was given)");
        return (density, epsilon);
    }

    private static nint Address(torch.Tensor contiguous) => MaskedL1Norms.Address(contiguous);

    /// <summary>
    /// The flat CPU keep-mask of a task vector in contiguous rows (0 &lt; density &lt; 1): one byte per element, or
    /// when <paramref name="packed"/> one bit (<see cref="KeepBits"/>; each row is decided in a per-thread row and
    /// packed, so no byte mask of the tensor is held). When <paramref name="norms"/> is asked of a packed mask and the
    /// vectorised decisions apply, a work item is the rows of whole <see cref="ElementChunks"/> chunks (lcm of the row
    /// length and the chunk size, up to 64 chunks) and each chunk's L1 norms are taken by the thread that decided it:
    /// row by row as each row is decided, its values still in that thread's cache, when rows span whole vectors
    /// (<see cref="MaskedL1Norms.RowChunks"/>), else as soon as the chunk's last row is decided
    /// (<see cref="MaskedL1Norms.BitsChunk"/>); both are the sums of <see cref="MaskedL1Norms.OfBits"/>. Otherwise the norms are null and the caller takes them in a
    /// pass of their own.
    /// </summary>
    private static unsafe (torch.Tensor Mask, (double Whole, double Kept)? Norms) Fill(TaskVectorMagnitudes.Source source, long rowLength,
        double density, double epsilon, ulong key, bool packed, bool norms)
    {
        var mask = packed ? KeepBits.Zeros(source.Count) : torch.empty(source.Count, torch.ScalarType.Bool);
        if (source.Count == 0)
            return (mask, null);
        if (rowLength > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(rowLength), $"della ranks rows of at most {int.MaxValue} elements, this one has {rowLength}");
        int n = (int)rowLength;
        long rows = source.Count / n;
        var probability = new float[n];
        for (int p = 0; p < n; p++) probability[p] = RowProbability(density, epsilon, p, n) * (1 << 24);
        nint maskAddress = Address(mask);
        bool vectorRows = DellaRowDecisions.Applies(n, probability);
        // With the norms, a work item is the rows of a whole number of norm chunks (lcm(n, chunk) elements), at most 64.
        long chunk = ElementChunks.Size;
        long tile = n / Gcd(n, chunk) * chunk;
        bool chunkNorms = norms && packed && vectorRows && tile <= 64 * chunk;
        long rowsPerItem = chunkNorms ? tile / n : Math.Max(1, chunk / n);
        long items = (rows + rowsPerItem - 1) / rowsPerItem;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, torch.get_num_threads()) };
        long chunks = (source.Count + chunk - 1) / chunk;
        // Rows of whole vectors: each row's norms are added as soon as it is decided (the same sums, chunk by chunk).
        bool rowNorms = chunkNorms && n % Vector<float>.Count == 0;
        var whole = chunkNorms ? new double[chunks] : null;
        var kept = chunkNorms ? new double[chunks] : null;
        Parallel.For(0L, items, options, item =>
        {
            long end = Math.Min(rows, (item + 1) * rowsPerItem);
            if (vectorRows)
            {
                var space = _rowDecisions is { } r && r.Capacity >= n ? r : _rowDecisions = new DellaRowDecisions.Buffers(n);
                long next = item * rowsPerItem * n / chunk;
                var running = rowNorms ? new MaskedL1Norms.RowChunks(whole!, kept!) : default;
                fixed (ulong* words = space.Words)
                {
                    for (long row = item * rowsPerItem; row < end; row++)
                    {
                        long offset = row * n;
                        float* baseValues = source.Base == 0 ? null : (float*)source.Base + offset;
                        DellaRowDecisions.Decide((float*)source.Values + offset, baseValues, offset, n, density, epsilon, probability, key, words, space);
                        if (packed) KeepBits.PackWords(words, n, (byte*)maskAddress, offset);
                        else Unpack(words, n, (byte*)maskAddress + offset);
                        // The row's norms while its values are in this thread's cache (or each chunk whose rows are all decided).
                        if (rowNorms)
                            running.AddRow((float*)source.Values, (float*)source.Base, offset, n, (byte*)words);
                        else
                            for (; whole is not null && kept is not null && next < chunks && Math.Min((next + 1) * chunk, source.Count) <= offset + n; next++)
                                (whole[next], kept[next]) = MaskedL1Norms.BitsChunk(source, maskAddress, next * chunk, Math.Min((next + 1) * chunk, source.Count));
                    }
                }
                if (rowNorms) running.Finish();
                return;
            }
            var buffers = _buffers is { } b && b.Capacity >= n ? b : _buffers = new RowBuffers(n);
            fixed (byte* rowBuffer = buffers.Row)
            {
                for (long row = item * rowsPerItem; row < end; row++)
                {
                    byte* rowMask = packed ? rowBuffer : (byte*)maskAddress + row * n;
                    FillRow(source, row * n, n, probability, key, rowMask, buffers);
                    if (packed) KeepBits.Pack(rowBuffer, n, (byte*)maskAddress, row * n);
                }
            }
        });
        return (mask, whole is not null && kept is not null ? MaskedL1Norms.InOrder(whole, kept) : null);
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    /// <summary>One byte per element (0 or 1) from a row's bits.</summary>
    private static unsafe void Unpack(ulong* words, int n, byte* row)
    {
        for (int c = 0; c < n; c++) row[c] = (byte)((words[c >> 6] >> (c & 63)) & 1);
    }

    /// <summary>
    /// Draws one row's keep decisions, ranking only where the rank decides: one counting pass over the top 11 bits of
    /// each magnitude key gives every element the range of ranks its bucket spans, and an element whose draw lies below
    /// (above) the keep probability of every rank in that range is kept (dropped) at once. The few undecided elements
    /// get their exact rank within their bucket by counting the bucket's smaller keys (ties by column); a row where that
    /// would cost more than a sort (many equal magnitudes) is ranked by <see cref="FillRowSorted"/>. Same decisions as
    /// the full sort.
    /// </summary>
    private static unsafe void FillRow(TaskVectorMagnitudes.Source source, long offset, int n, float[] probability, ulong key, byte* rowMask, RowBuffers buffers)
    {
        uint[] keys = buffers.Keys;
        int[] starts = buffers.Counts;
        float[] draws = buffers.Draws;
        float* values = (float*)source.Values + offset;
        float* baseValues = source.Base == 0 ? null : (float*)source.Base + offset;
        Array.Clear(starts);
        for (int c = 0; c < n; c++)
        {
            float d = baseValues == null ? values[c] : values[c] - baseValues[c];
            uint k = MagnitudeKey(d);
            keys[c] = k;
            starts[k >> TopShift]++;
        }
        int total = 0;
        for (int digit = 0; digit <= Digits; digit++)
        {
            int count = starts[digit];
            starts[digit] = total;
            total += count;
        }
        Draw(key, offset, n, draws);
        int[] undecided = buffers.Order;
        int open = 0;
        long work = 0;
        // Without branches on the draw (kept or dropped at random): every element is written as kept when its draw is
        // below the bucket's lower probability, and listed as undecided when it lies between the two.
        for (int c = 0; c < n; c++)
        {
            uint digit = keys[c] >> TopShift;
            int first = starts[digit], last = starts[digit + 1] - 1;
            float a = probability[first], b = probability[last], u = draws[c];
            float low = MathF.Min(a, b), high = MathF.Max(a, b);
            int below = u < low ? 1 : 0;
            int between = (u >= low ? 1 : 0) & (u < high ? 1 : 0);
            rowMask[c] = (byte)below;
            undecided[open] = c;
            open += between;
            work += between * (last - first + 1);
        }
        if (open == 0)
            return;
        if (work > UndecidedWorkPerElement * (long)n)
        {
            FillRowSorted(source, offset, n, probability, key, rowMask, buffers);
            return;
        }
        // Group the row by bucket, in column order within a bucket, as (key, column) pairs: comparing pairs ranks ties by column.
        ulong[] grouped = buffers.Grouped;
        int[] cursor = buffers.Cursor;
        Array.Copy(starts, cursor, Digits + 1);
        for (int c = 0; c < n; c++)
            grouped[cursor[keys[c] >> TopShift]++] = ((ulong)keys[c] << 32) | (uint)c;
        for (int i = 0; i < open; i++)
        {
            int c = undecided[i];
            ulong pair = ((ulong)keys[c] << 32) | (uint)c;
            uint digit = keys[c] >> TopShift;
            int first = starts[digit];
            int rank = first + CountBelow(grouped, first, starts[digit + 1], pair);
            rowMask[c] = draws[c] < probability[rank] ? (byte)1 : (byte)0;
        }
    }

    /// <summary>How many of <paramref name="pairs"/>[from, to) are below <paramref name="pair"/>.</summary>
    private static int CountBelow(ulong[] pairs, int from, int to, ulong pair)
    {
        int width = Vector<ulong>.Count;
        int j = from;
        var below = Vector<ulong>.Zero;
        var limit = new Vector<ulong>(pair);
        for (; j + width <= to; j += width)
            below -= Vector.LessThan(new Vector<ulong>(pairs, j), limit);
        int count = (int)Vector.Sum(below);
        for (; j < to; j++)
            if (pairs[j] < pair) count++;
        return count;
    }

    /// <summary>Ascending order of the key is descending magnitude (0x7FFFFFFF − |d|'s bits).</summary>
    private static uint MagnitudeKey(float d) => 0x7FFFFFFFu - (BitConverter.SingleToUInt32Bits(d) & 0x7FFFFFFFu);

    /// <summary>Ranks one row by a stable descending radix sort of its magnitude bits and draws its keep decisions.</summary>
    private static unsafe void FillRowSorted(TaskVectorMagnitudes.Source source, long offset, int n, float[] probability, ulong key, byte* rowMask, RowBuffers buffers)
    {
        uint[] keys = buffers.Keys, otherKeys = buffers.OtherKeys;
        int[] order = buffers.Order, otherOrder = buffers.OtherOrder;
        int[] counts = buffers.Counts;
        float[] draws = buffers.Draws;
        float* values = (float*)source.Values + offset;
        float* baseValues = source.Base == 0 ? null : (float*)source.Base + offset;
        for (int c = 0; c < n; c++)
        {
            float d = baseValues == null ? values[c] : values[c] - baseValues[c];
            // A stable sort keeps lower columns first among equals.
            keys[c] = MagnitudeKey(d);
            order[c] = c;
        }
        for (int shift = 0; shift < 31; shift += DigitBits)
        {
            Array.Clear(counts);
            for (int c = 0; c < n; c++) counts[(keys[c] >> shift) & (Digits - 1)]++;
            if (counts[(keys[0] >> shift) & (Digits - 1)] == n) continue;
            int total = 0;
            for (int digit = 0; digit < Digits; digit++)
            {
                int count = counts[digit];
                counts[digit] = total;
                total += count;
            }
            for (int c = 0; c < n; c++)
            {
                int at = counts[(keys[c] >> shift) & (Digits - 1)]++;
                otherKeys[at] = keys[c];
                otherOrder[at] = order[c];
            }
            (keys, otherKeys) = (otherKeys, keys);
            (order, otherOrder) = (otherOrder, order);
        }
        Draw(key, offset, n, draws);
        for (int p = 0; p < n; p++)
        {
            int c = order[p];
            rowMask[c] = draws[c] < probability[p] ? (byte)1 : (byte)0;
        }
    }

    /// <summary>The 24-bit draws (as floats) of elements [offset, offset + n).</summary>
    private static void Draw(ulong key, long offset, int n, float[] draws)
    {
        int width = Vector<uint>.Count;
        int c = 0;
        for (; c + width <= n; c += width)
        {
            long start = offset + c;
            if ((start >> 32) != ((start + width - 1) >> 32)) break;
            Vector.ConvertToSingle(Vector.AsVectorInt32(CounterRandom.Draws24(key, start))).CopyTo(draws, c);
        }
        for (; c < n; c++) draws[c] = CounterRandom.Bits(key, offset + c) >> 8;
    }

    /// <summary>One thread's row buffers.</summary>
    private sealed class RowBuffers(int capacity)
    {
        public int Capacity { get; } = capacity;
        public uint[] Keys { get; } = new uint[capacity];
        public uint[] OtherKeys { get; } = new uint[capacity];
        public int[] Order { get; } = new int[capacity];
        public int[] OtherOrder { get; } = new int[capacity];
        public int[] Counts { get; } = new int[Digits + 1];
        public ulong[] Grouped { get; } = new ulong[capacity];
        public int[] Cursor { get; } = new int[Digits + 1];
        public float[] Draws { get; } = new float[capacity];
        public byte[] Row { get; } = new byte[capacity];
    }
}
