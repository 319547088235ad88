using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// The L1 norms a random drop's rescale needs (<see cref="L1Rescale"/>'s <c>‖x‖₁</c> and <c>‖x·mask‖₁</c>), summed in
/// float64 per fixed chunk of <see cref="ElementChunks"/> and the chunks added in order, so the result does not depend
/// on the thread count and the fused float32 pass and the tensor-at-a-time formulation get the same factor.
/// </summary>
internal static unsafe class MaskedL1Norms
{
    /// <summary>‖δ‖₁ and the sum of |δ| over the kept elements, δ being <paramref name="source"/>'s task vector and
    /// <paramref name="mask"/> the address of its boolean keep-mask.</summary>
    public static (double Whole, double Kept) Of(TaskVectorMagnitudes.Source source, nint mask) =>
        OfChunks(source.Count, (start, end) => Chunk((float*)source.Values, (float*)source.Base, new ByteMaskKeep((byte*)mask), start, end));

    /// <summary><see cref="Of"/> with the keep-mask packed one bit per element (<see cref="KeepBits"/>): the same sums.</summary>
    public static (double Whole, double Kept) OfBits(TaskVectorMagnitudes.Source source, nint bits) =>
        OfChunks(source.Count, (start, end) => Chunk((float*)source.Values, (float*)source.Base, new PackedBitsKeep((byte*)bits), start, end));

    /// <summary>
    /// Runs <paramref name="chunk"/> on every <see cref="ElementChunks"/> chunk of [0, <paramref name="count"/>) and adds
    /// the chunks' norms in order. A chunk must sum as <see cref="Of"/>'s does (<see cref="AddChunk"/> over its vectors
    /// in order, then the vectors' lanes, then the remaining elements one by one) for the result to be the same.
    /// </summary>
    public static (double Whole, double Kept) OfChunks(long count, Func<long, long, (double Whole, double Kept)> chunk)
    {
        long chunks = (count + ElementChunks.Size - 1) / ElementChunks.Size;
        var whole = new double[chunks];
        var kept = new double[chunks];
        ElementChunks.For(count, (start, end) =>
        {
            var (w, k) = chunk(start, end);
            whole[start / ElementChunks.Size] = w;
            kept[start / ElementChunks.Size] = k;
        });
        return InOrder(whole, kept);
    }

    /// <summary>The chunks' norms added in chunk order, as <see cref="OfChunks"/> adds them.</summary>
    public static (double Whole, double Kept) InOrder(double[] whole, double[] kept)
    {
        double wholeSum = 0, keptSum = 0;
        for (long c = 0; c < whole.Length; c++)
        {
            wholeSum += whole[c];
            keptSum += kept[c];
        }
        return (wholeSum, keptSum);
    }

    /// <summary>One <see cref="ElementChunks"/> chunk [start, end) of <see cref="OfBits"/>: the same sums.</summary>
    public static (double Whole, double Kept) BitsChunk(TaskVectorMagnitudes.Source source, nint bits, long start, long end) =>
        Chunk((float*)source.Values, (float*)source.Base, new PackedBitsKeep((byte*)bits), start, end);

    /// <summary>
    /// <see cref="BitsChunk"/>'s sums taken row by row while the rows are decided: rows added in order, each with its
    /// own keep bits, continue the chunk's lane sums, so a chunk's norms are the same as <see cref="BitsChunk"/>'s. Every
    /// row must start at a multiple of <see cref="Vector{T}.Count"/> and span whole vectors, and a run must start at a
    /// chunk's first element; the chunk is stored in <paramref name="whole"/>/<paramref name="kept"/> when the next one
    /// begins or on <see cref="Finish"/>.
    /// </summary>
    public struct RowChunks(double[] whole, double[] kept)
    {
        private Vector<double> _whole0, _whole1, _kept0, _kept1;
        private long _chunk = -1;

        /// <summary>Adds elements [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="n"/>) of δ, column c kept when bit c of <paramref name="rowBits"/> is set.</summary>
        public void AddRow(float* values, float* baseValues, long offset, int n, byte* rowBits)
        {
            int width = Vector<float>.Count;
            for (int c = 0; c < n; c += width)
            {
                long j = offset + c;
                if (j / ElementChunks.Size != _chunk)
                {
                    Finish();
                    _chunk = j / ElementChunks.Size;
                }
                AddChunk(values, baseValues, j, KeepBits.Ones(rowBits, c), ref _whole0, ref _whole1, ref _kept0, ref _kept1);
            }
        }

        /// <summary>Stores the current chunk's norms.</summary>
        public void Finish()
        {
            if (_chunk >= 0)
            {
                whole[_chunk] = Vector.Sum(_whole0 + _whole1);
                kept[_chunk] = Vector.Sum(_kept0 + _kept1);
            }
            _whole0 = _whole1 = _kept0 = _kept1 = Vector<double>.Zero;
            _chunk = -1;
        }
    }

    /// <summary>The rescale factor <c>‖x‖₁ / ‖x·mask‖₁</c>, or null when either is below <see cref="L1Rescale.Epsilon"/>.</summary>
    public static double? Factor((double Whole, double Kept) norms) =>
        norms.Whole >= L1Rescale.Epsilon && norms.Kept >= L1Rescale.Epsilon ? norms.Whole / norms.Kept : null;

    /// <summary>
    /// Masks <paramref name="x"/> in place and, when asked, multiplies it by <see cref="Factor"/> of these norms (taken
    /// in float32): what the fused pass does for a random drop.
    /// </summary>
    public static void ApplyInPlace(torch.Tensor x, torch.Tensor mask, bool rescale)
    {
        using var scope = torch.NewDisposeScope();
        double? factor = null;
        if (rescale)
        {
            var wide = x.to(torch.ScalarType.Float32).cpu().contiguous();
            var bytes = mask.to(torch.ScalarType.Bool).cpu().contiguous();
            factor = Factor(Of(new TaskVectorMagnitudes.Source(Address(wide), 0, wide.numel()), Address(bytes)));
        }
        x.mul_(mask);
        if (factor is { } f)
        {
            using var scalar = f.ToScalar();
            x.mul_(scalar);
        }
    }

    /// <summary>The address of a contiguous CPU tensor's first element (0 when it is empty).</summary>
    public static nint Address(torch.Tensor contiguous) =>
        contiguous.numel() == 0 ? 0 : (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(contiguous.bytes));

    /// <summary>
    /// The L1 norms of the elements [<paramref name="start"/>, <paramref name="end"/>) of one chunk: <see cref="AddChunk"/>
    /// over its vectors in order, then the vectors' lanes, then the remaining elements one by one, with the kept
    /// elements taken from <paramref name="keep"/>. Every keep source sums in this one order, so their norms are equal.
    /// </summary>
    public static (double Whole, double Kept) Chunk<TKeep>(float* values, float* baseValues, TKeep keep, long start, long end)
        where TKeep : struct, IElementKeep
    {
        int width = Vector<float>.Count;
        var whole0 = Vector<double>.Zero;
        var whole1 = Vector<double>.Zero;
        var kept0 = Vector<double>.Zero;
        var kept1 = Vector<double>.Zero;
        long j = start;
        for (; j + width <= end; j += width)
            AddChunk(values, baseValues, j, keep.Ones(j), ref whole0, ref whole1, ref kept0, ref kept1);
        double whole = Vector.Sum(whole0 + whole1), kept = Vector.Sum(kept0 + kept1);
        for (; j < end; j++)
        {
            float d = Math.Abs(baseValues == null ? values[j] : values[j] - baseValues[j]);
            whole += d;
            if (keep.Keeps(j)) kept += d;
        }
        return (whole, kept);
    }

    /// <summary>
    /// Adds the |δ| of the <see cref="Vector{T}.Count"/> elements from <paramref name="j"/> (<paramref name="keep"/>: 1
    /// for a kept element, 0 otherwise) to the float64 lane sums of a chunk: the whole norm's halves and the kept norm's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddChunk(float* values, float* baseValues, long j, Vector<float> keep,
        ref Vector<double> whole0, ref Vector<double> whole1, ref Vector<double> kept0, ref Vector<double> kept1)
    {
        var d = Vector.Abs(baseValues == null ? Vector.Load(values + j) : Vector.Load(values + j) - Vector.Load(baseValues + j));
        var k = d * keep;
        Vector.Widen(d, out var d0, out var d1);
        Vector.Widen(k, out var k0, out var k1);
        whole0 += d0;
        whole1 += d1;
        kept0 += k0;
        kept1 += k1;
    }

    /// <summary>1 where the mask byte is set, 0 elsewhere, for <see cref="Vector{T}.Count"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Keep(byte* mask)
    {
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && Vector<float>.Count == 8)
            return Vector.ConvertToSingle(System.Runtime.Intrinsics.Vector256.AsVector(System.Runtime.Intrinsics.X86.Avx2.ConvertToVector256Int32(mask)));
        Span<float> lanes = stackalloc float[Vector<float>.Count];
        for (int i = 0; i < lanes.Length; i++) lanes[i] = mask[i];
        return new Vector<float>(lanes);
    }

    /// <summary>A keep-mask of one byte per element (non-zero: kept).</summary>
    private readonly struct ByteMaskKeep(byte* mask) : IElementKeep
    {
        public bool Keeps(long index) => mask[index] != 0;

        public Vector<float> Ones(long start) => Keep(mask + start);
    }

    /// <summary>A keep-mask packed one bit per element (<see cref="KeepBits"/>).</summary>
    private readonly struct PackedBitsKeep(byte* bits) : IElementKeep
    {
        public bool Keeps(long index) => KeepBits.Keeps(bits, index);

        public Vector<float> Ones(long start) => KeepBits.Ones(bits, start);
    }
}
