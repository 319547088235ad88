namespace EvoMerge.Evaluation;

/// <summary>
/// SplitMix64: a small generator whose sequence depends only on the seed (unlike <see cref="Random"/>, whose
/// algorithm is not part of .NET's contract). Used for few-shot draws and the example datasets.
/// </summary>
public sealed class SeededRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>A generator for <paramref name="stream"/> of <paramref name="seed"/>: distinct streams are independent.</summary>
    public static SeededRandom For(long seed, long stream) => new(Mix((ulong)seed ^ Mix((ulong)stream + 0x632BE59BD9B4E019UL)));

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>) (rejection sampling, no modulo bias).</summary>
    public int Next(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        ulong limit = ulong.MaxValue - ulong.MaxValue % (ulong)bound;
        ulong value;
        do value = NextUInt64(); while (value >= limit);
        return (int)(value % (ulong)bound);
    }

    /// <summary>A uniform integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Next(int min, int max) => min + Next(max - min + 1);

    /// <summary>True with probability <paramref name="probability"/> (to a millionth), from one draw of <see cref="Next(int)"/>.</summary>
    public bool Chance(double probability) => Next(1_000_000) < probability * 1_000_000;

    /// <summary>
    /// <paramref name="count"/> distinct integers from [0, <paramref name="bound"/>) in draw order: a partial
    /// Fisher–Yates shuffle over a virtual identity array, so the cost is O(count) whatever the bound.
    /// </summary>
    public int[] Sample(int bound, int count)
    {
        if (count < 0 || count > bound) throw new ArgumentOutOfRangeException(nameof(count), $"cannot draw {count} of {bound}");
        var swapped = new Dictionary<int, int>();
        var result = new int[count];
        for (int i = 0; i < count; i++)
        {
            int j = i + Next(bound - i);
            int atJ = swapped.GetValueOrDefault(j, j);
            swapped[j] = swapped.GetValueOrDefault(i, i);
            result[i] = atJ;
        }
        return result;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
