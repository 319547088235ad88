using System.Numerics;
using System.Runtime.CompilerServices;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// A DARE keep decision taken from the draws themselves instead of a stored mask: element i is kept when its 24-bit
/// <see cref="CounterRandom"/> draw of stream <paramref name="Key"/> is below <paramref name="Threshold"/>. Since a draw
/// depends only on (key, index), any pass can recompute it, so no mask is held in memory.
/// </summary>
/// <param name="Key">The model's stream key (<see cref="CounterRandom.StreamKey(MergeContext, MergeInput)"/>).</param>
/// <param name="Threshold">⌈density·2²⁴⌉.</param>
internal readonly record struct CounterDrawKeep(ulong Key, uint Threshold) : IElementKeep
{
    /// <summary>True when element <paramref name="index"/> is kept.</summary>
    public bool Keeps(long index) => (CounterRandom.Bits(Key, index) >> 8) < Threshold;

    /// <summary>
    /// 1f for each kept element of [start, start + Vector&lt;float&gt;.Count), 0f for the others; the range must not cross
    /// a multiple of 2³² (ranges inside one <see cref="ElementChunks"/> chunk never do).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<float> Ones(long start) =>
        Vector.ConditionalSelect(Vector.AsVectorSingle(Vector.LessThan(CounterRandom.Draws24(Key, start), new Vector<uint>(Threshold))),
            Vector<float>.One, Vector<float>.Zero);
}
