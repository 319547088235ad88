using System.Numerics;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// Where a random drop's keep decision for element i comes from (a stored byte mask, a mask packed one bit per
/// element, or the counter draws themselves), for passes generic over it (<see cref="MaskedL1Norms.Chunk{TKeep}"/>):
/// implemented by structs, so each pass is compiled for its source.
/// </summary>
internal interface IElementKeep
{
    /// <summary>True when element <paramref name="index"/> is kept.</summary>
    bool Keeps(long index);

    /// <summary>1f for each kept element of [start, start + Vector&lt;float&gt;.Count), 0f for the others.</summary>
    Vector<float> Ones(long start);
}
