using System.Text;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// The seed of a tensor's random generator: FNV-1a 64 over the run seed's 8 little-endian bytes followed by the
/// tensor name's UTF-8 bytes. Stable across processes and platforms, and independent of the order tensors are
/// merged in.
/// </summary>
public static class TensorSeed
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    /// <summary>The generator seed for <paramref name="tensorName"/> in a run seeded with <paramref name="runSeed"/>.</summary>
    public static ulong For(ulong runSeed, string tensorName)
    {
        ulong hash = OffsetBasis;
        for (int i = 0; i < 8; i++) hash = (hash ^ ((runSeed >> (8 * i)) & 0xFF)) * Prime;
        foreach (byte b in Encoding.UTF8.GetBytes(tensorName)) hash = (hash ^ b) * Prime;
        return hash;
    }
}
