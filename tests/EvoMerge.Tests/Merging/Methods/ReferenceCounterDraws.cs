namespace EvoMerge.Tests.Merging.Methods;

/// <summary>
/// The tests' own implementation of the documented counter-based draws (lowbias32 twice, written out from its published
/// constants), independent of <c>CounterRandom</c>.
/// </summary>
internal static class ReferenceCounterDraws
{
    /// <summary>lowbias32.</summary>
    public static uint Lowbias32(uint x)
    {
        x = (x ^ (x >> 16)) * 0x7FEB352DU;
        x = (x ^ (x >> 15)) * 0x846CA68BU;
        return x ^ (x >> 16);
    }

    /// <summary>The 32 bits of element <paramref name="index"/> of stream <paramref name="key"/>.</summary>
    public static uint Bits(ulong key, long index) =>
        Lowbias32(Lowbias32((uint)(index & 0xFFFFFFFF) ^ (uint)(key & 0xFFFFFFFF)) ^ (uint)(key >> 32) ^ Lowbias32((uint)(index >> 32)));
}
