using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// A keep-mask packed one bit per element (element i is bit i mod 64 of little-endian 64-bit word i / 64), held in a
/// zero-initialised uint8 CPU tensor with one spare word so a vector's bits can be read as one unaligned 64-bit load at
/// any element. An eighth of a one-byte mask: what della holds per model between its norm pass and the fused pass.
/// </summary>
internal static unsafe class KeepBits
{
    /// <summary>An all-dropped bit mask for <paramref name="count"/> elements.</summary>
    public static torch.Tensor Zeros(long count) => torch.zeros((count + 63) / 64 * 8 + 8, torch.ScalarType.Byte);

    /// <summary>The bit mask of a contiguous CPU boolean (or 0/1 uint8) mask of <paramref name="count"/> elements.</summary>
    public static torch.Tensor FromBytes(torch.Tensor bytes, long count)
    {
        var bits = Zeros(count);
        byte* from = (byte*)MaskedL1Norms.Address(bytes);
        byte* to = (byte*)MaskedL1Norms.Address(bits);
        const int Span = 1 << 30;
        for (long start = 0; start < count; start += Span)
            Pack(from + start, (int)Math.Min(Span, count - start), to, start);
        return bits;
    }

    /// <summary>
    /// Sets the bits of elements [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="n"/>) from
    /// <paramref name="row"/>'s 0/1 bytes into a zeroed bit mask. Words shared with other ranges are or-ed atomically,
    /// so ranges may be packed on different threads at once.
    /// </summary>
    public static void Pack(byte* row, int n, byte* bits, long offset)
    {
        long* words = (long*)bits;
        int c = 0;
        int head = (int)Math.Min(n, (64 - (offset & 63)) & 63);
        if (head > 0)
        {
            long word = 0;
            for (; c < head; c++) word |= (long)row[c] << (int)((offset + c) & 63);
            Interlocked.Or(ref words[offset >> 6], word);
        }
        for (; c + 64 <= n; c += 64)
            words[(offset + c) >> 6] = (long)Gather64(row + c);
        if (c < n)
        {
            long index = (offset + c) >> 6;
            long word = 0;
            for (; c < n; c++) word |= (long)row[c] << (int)((offset + c) & 63);
            Interlocked.Or(ref words[index], word);
        }
    }

    /// <summary>
    /// Sets the bits of elements [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="n"/>) from a
    /// row's own bits (bit c of <paramref name="row"/>'s 64-bit words is element offset + c; bits from n on are ignored)
    /// into a zeroed bit mask. Words shared with other ranges are or-ed atomically, as <see cref="Pack"/>.
    /// </summary>
    public static void PackWords(ulong* row, int n, byte* bits, long offset)
    {
        if (n <= 0)
            return;
        long* words = (long*)bits;
        long first = offset >> 6, last = (offset + n - 1) >> 6;
        for (long t = first; t <= last; t++)
        {
            // Bit k of word t is row bit (t·64 − offset + k).
            long from = t * 64 - offset;
            ulong value;
            if (from < 0)
                value = row[0] << (int)-from;
            else
            {
                int w = (int)(from >> 6), s = (int)(from & 63);
                value = row[w] >> s;
                if (s != 0 && from + 64 - s < n) value |= row[w + 1] << (64 - s);
            }
            long valid = n - from;
            if (valid < 64) value &= (1UL << (int)valid) - 1;
            if (t == first || t == last) Interlocked.Or(ref words[t], (long)value);
            else words[t] = (long)value;
        }
    }

    /// <summary>True when element <paramref name="index"/> is kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Keeps(byte* bits, long index) => ((bits[index >> 3] >> (int)(index & 7)) & 1) != 0;

    /// <summary>1f for each kept element of [index, index + Vector&lt;float&gt;.Count), 0f for the others.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Ones(byte* bits, long index)
    {
        uint word = (uint)(Unsafe.ReadUnaligned<ulong>(bits + (index >> 3)) >> (int)(index & 7));
        var set = Vector.Equals(new Vector<uint>(word) & LaneBits, Vector<uint>.Zero);
        return Vector.ConditionalSelect(Vector.AsVectorSingle(set), Vector<float>.Zero, Vector<float>.One);
    }

    /// <summary>1, 2, 4, … per lane.</summary>
    private static readonly Vector<uint> LaneBits = Lanes();

    private static Vector<uint> Lanes()
    {
        var lanes = new uint[Vector<uint>.Count];
        for (int i = 0; i < lanes.Length; i++) lanes[i] = 1u << i;
        return new Vector<uint>(lanes);
    }

    /// <summary>The 64 bits of 64 bytes that are 0 or 1 (byte k → bit k).</summary>
    private static ulong Gather64(byte* row)
    {
        ulong low = Vector256.ExtractMostSignificantBits(Vector256.ShiftLeft(Vector256.Load(row), 7));
        ulong high = Vector256.ExtractMostSignificantBits(Vector256.ShiftLeft(Vector256.Load(row + 32), 7));
        return low | (high << 32);
    }
}
