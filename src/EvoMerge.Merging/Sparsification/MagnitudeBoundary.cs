namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// "The k largest magnitudes" as a test one element can answer alone: an element is in the set when its magnitude key
/// (the float32 bit pattern of |x| without the sign bit) is above <see cref="Key"/>, or equal to it with a flat index
/// below <see cref="TieEnd"/>. That is the same set as keeping tied elements in index order until exactly k are kept.
/// </summary>
/// <param name="Key">The k-th largest magnitude's key.</param>
/// <param name="TieEnd">Tied elements with an index below this are in the set.</param>
public readonly record struct MagnitudeBoundary(uint Key, long TieEnd)
{
    /// <summary>The empty set (k ≤ 0).</summary>
    public static MagnitudeBoundary None { get; } = new(uint.MaxValue, 0);

    /// <summary>Every element (k ≥ numel).</summary>
    public static MagnitudeBoundary All { get; } = new(0, long.MaxValue);

    /// <summary>True when the element with magnitude key <paramref name="key"/> at <paramref name="index"/> is in the set.</summary>
    public bool Contains(uint key, long index) => key > Key || (key == Key && index < TieEnd);

    /// <summary>The magnitude key of a float32 value: its bits without the sign (non-negative floats order like their bits).</summary>
    public static uint KeyOf(float value) => BitConverter.SingleToUInt32Bits(value) & 0x7FFFFFFF;
}
