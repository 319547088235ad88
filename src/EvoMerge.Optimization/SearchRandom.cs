using System.Globalization;

namespace EvoMerge.Optimization;

/// <summary>
/// Deterministic pseudo-random generator for the search: xoshiro256** (Blackman and Vigna) seeded through SplitMix64.
/// Its whole state, including the cached second Gaussian deviate, can be exported as a string and restored exactly,
/// so a resumed search draws the same numbers as an uninterrupted one.
/// </summary>
public sealed class SearchRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;
    private bool _hasSpareGaussian;
    private double _spareGaussian;

    /// <summary>A generator whose state is derived from <paramref name="seed"/> by SplitMix64.</summary>
    public SearchRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    private SearchRandom(ulong s0, ulong s1, ulong s2, ulong s3, bool hasSpare, double spare)
    {
        _s0 = s0;
        _s1 = s1;
        _s2 = s2;
        _s3 = s3;
        _hasSpareGaussian = hasSpare;
        _spareGaussian = spare;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="n"/>) without modulo bias.</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ulong bound = (ulong)n;
        ulong rejectFrom = ulong.MaxValue - ((ulong.MaxValue % bound) + 1) % bound;
        ulong x;
        do
        {
            x = NextUInt64();
        }
        while (x > rejectFrom);
        return (int)(x % bound);
    }

    /// <summary>Standard normal deviate (Marsaglia polar method; the second deviate of each pair is kept in the state).</summary>
    public double NextGaussian()
    {
        if (_hasSpareGaussian)
        {
            _hasSpareGaussian = false;
            return _spareGaussian;
        }
        double u, v, s;
        do
        {
            u = 2.0 * NextDouble() - 1.0;
            v = 2.0 * NextDouble() - 1.0;
            s = u * u + v * v;
        }
        while (s >= 1.0 || s == 0.0);
        double factor = Math.Sqrt(-2.0 * Math.Log(s) / s);
        _spareGaussian = v * factor;
        _hasSpareGaussian = true;
        return u * factor;
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The complete state as text: four state words and the spare Gaussian's bits, in hexadecimal.</summary>
    public string ExportState()
    {
        ulong spareBits = _hasSpareGaussian ? BitConverter.DoubleToUInt64Bits(_spareGaussian) : 0;
        return string.Join(':',
            Hex(_s0), Hex(_s1), Hex(_s2), Hex(_s3), _hasSpareGaussian ? "1" : "0", Hex(spareBits));
    }

    /// <summary>A generator continuing exactly where the one that exported <paramref name="state"/> stood.</summary>
    public static SearchRandom FromState(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string[] parts = state.Split(':');
        if (parts.Length != 6 || (parts[4] != "0" && parts[4] != "1"))
        {
            throw new FormatException($"not a SearchRandom state: '{state}'");
        }
        ulong s0 = ParseHex(parts[0]), s1 = ParseHex(parts[1]), s2 = ParseHex(parts[2]), s3 = ParseHex(parts[3]);
        if ((s0 | s1 | s2 | s3) == 0)
        {
            throw new FormatException("a xoshiro256** state cannot be all zero");
        }
        bool hasSpare = parts[4] == "1";
        double spare = hasSpare ? BitConverter.UInt64BitsToDouble(ParseHex(parts[5])) : 0.0;
        return new SearchRandom(s0, s1, s2, s3, hasSpare, spare);
    }

    /// <summary>A copy with the same state.</summary>
    public SearchRandom Clone() => new(_s0, _s1, _s2, _s3, _hasSpareGaussian, _spareGaussian);

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static string Hex(ulong value) => value.ToString("x16", CultureInfo.InvariantCulture);

    private static ulong ParseHex(string text) =>
        ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw new FormatException($"not a hexadecimal word: '{text}'");
}
