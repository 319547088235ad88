using System.Numerics;
using System.Runtime.Intrinsics;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// Counter-based uniform draws for the random drops (DARE, DELLA): the number of element <c>i</c> depends only on a
/// stream key and <c>i</c>, never on what was drawn before, so chunking, thread count and visiting order cannot change
/// a mask. The key of a model's stream mixes the tensor's seed (<see cref="MergeContext.Random"/>'s initial seed, itself
/// derived from the run seed and the tensor name) with the model's position among <see cref="MergeContext.Models"/>
/// (SplitMix64's finaliser). Element <c>i</c>'s 32 bits are two rounds of the "lowbias32" integer hash:
/// <c>h(h(lo(i) ⊕ k₀) ⊕ k₁ ⊕ h(hi(i)))</c> with <c>k₀, k₁</c> the key's halves; its uniform is the top 24 bits / 2²⁴.
/// </summary>
public static class CounterRandom
{
    /// <summary>The key of stream <paramref name="stream"/> (a model's position) of a tensor seeded with <paramref name="tensorSeed"/>.</summary>
    public static ulong StreamKey(ulong tensorSeed, int stream)
    {
        ulong z = tensorSeed + (ulong)(stream + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The key of <paramref name="input"/>'s stream in <paramref name="context"/> (its generator's seed and its position).</summary>
    public static ulong StreamKey(MergeContext context, MergeInput input)
    {
        var random = context.Random
            ?? throw MergeException.ForTensor(context.TensorName, "a random drop needs a seed (no generator was given)");
        int position = 0;
        for (int i = 0; i < context.Models.Count; i++)
            if (ReferenceEquals(context.Models[i], input)) position = i;
        return StreamKey((ulong)random.initial_seed(), position);
    }

    /// <summary>The 32 random bits of element <paramref name="index"/> of stream <paramref name="key"/>.</summary>
    public static uint Bits(ulong key, long index)
    {
        uint x = Hash((uint)index ^ (uint)key);
        return Hash(x ^ (uint)(key >> 32) ^ Hash((uint)((ulong)index >> 32)));
    }

    /// <summary>The uniform number in [0, 1) of element <paramref name="index"/>: a multiple of 2⁻²⁴.</summary>
    public static float Uniform(ulong key, long index) => (Bits(key, index) >> 8) * (1f / (1 << 24));

    /// <summary>
    /// The 24-bit draws (<see cref="Uniform"/> · 2²⁴) of elements [start, start + Vector&lt;uint&gt;.Count); the range must
    /// not cross a multiple of 2³².
    /// </summary>
    internal static Vector<uint> Draws24(ulong key, long start)
    {
        var index = new Vector<uint>((uint)start) + Lanes;
        var x = Hash(index ^ new Vector<uint>((uint)key));
        x = Hash(x ^ new Vector<uint>((uint)(key >> 32) ^ Hash((uint)((ulong)start >> 32))));
        return Vector.ShiftRightLogical(x, 8);
    }

    /// <summary><see cref="Draws24"/> of the 8 elements from <paramref name="start"/> (not crossing a multiple of 2³²).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> Draws24x8(ulong key, long start)
    {
        var index = Vector256.Create((uint)start) + Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        var x = Hash(index ^ Vector256.Create((uint)key));
        x = Hash(x ^ Vector256.Create((uint)(key >> 32) ^ Hash((uint)((ulong)start >> 32))));
        return Vector256.ShiftRightLogical(x, 8);
    }

    /// <summary><see cref="Draws24"/> of the 16 elements from <paramref name="start"/> (not crossing a multiple of 2³²).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static Vector512<uint> Draws24x16(ulong key, long start)
    {
        var index = Vector512.Create((uint)start) + Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var x = Hash(index ^ Vector512.Create((uint)key));
        x = Hash(x ^ Vector512.Create((uint)(key >> 32) ^ Hash((uint)((ulong)start >> 32))));
        return Vector512.ShiftRightLogical(x, 8);
    }

    /// <summary>0, 1, 2, … per lane.</summary>
    private static readonly Vector<uint> Lanes = LaneIndices();

    private static Vector<uint> LaneIndices()
    {
        var lanes = new uint[Vector<uint>.Count];
        for (int i = 0; i < lanes.Length; i++) lanes[i] = (uint)i;
        return new Vector<uint>(lanes);
    }

    /// <summary>lowbias32 (Chris Wellons' integer hash; 0 maps to 0).</summary>
    private static uint Hash(uint x)
    {
        x ^= x >> 16;
        x *= 0x7FEB352DU;
        x ^= x >> 15;
        x *= 0x846CA68BU;
        x ^= x >> 16;
        return x;
    }

    private static Vector256<uint> Hash(Vector256<uint> x)
    {
        x ^= Vector256.ShiftRightLogical(x, 16);
        x *= Vector256.Create(0x7FEB352DU);
        x ^= Vector256.ShiftRightLogical(x, 15);
        x *= Vector256.Create(0x846CA68BU);
        return x ^ Vector256.ShiftRightLogical(x, 16);
    }

    private static Vector512<uint> Hash(Vector512<uint> x)
    {
        x ^= Vector512.ShiftRightLogical(x, 16);
        x *= Vector512.Create(0x7FEB352DU);
        x ^= Vector512.ShiftRightLogical(x, 15);
        x *= Vector512.Create(0x846CA68BU);
        return x ^ Vector512.ShiftRightLogical(x, 16);
    }

    private static Vector<uint> Hash(Vector<uint> x)
    {
        x ^= Vector.ShiftRightLogical(x, 16);
        x *= new Vector<uint>(0x7FEB352DU);
        x ^= Vector.ShiftRightLogical(x, 15);
        x *= new Vector<uint>(0x846CA68BU);
        x ^= Vector.ShiftRightLogical(x, 16);
        return x;
    }
}
