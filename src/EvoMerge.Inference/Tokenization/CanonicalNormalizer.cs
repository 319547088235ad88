using System.Globalization;
using System.Text;

namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// Unicode NFC and NFD from compiled-in tables (<see cref="CanonicalNormalizationData"/>): the solution runs with
/// InvariantGlobalization, where <see cref="string.Normalize()"/> leaves non-ASCII text unchanged.
/// </summary>
internal static class CanonicalNormalizer
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly Dictionary<int, int[]> FullDecompositions;
    private static readonly Dictionary<int, byte> CombiningClasses;
    private static readonly Dictionary<long, int> Compositions;

    static CanonicalNormalizer()
    {
        var raw = new Dictionary<int, int[]>();
        foreach (string entry in Entries(CanonicalNormalizationData.Decompositions))
        {
            int colon = entry.IndexOf(':');
            raw[Hex(entry[..colon])] = entry[(colon + 1)..].Split(',').Select(Hex).ToArray();
        }
        CombiningClasses = [];
        foreach (string entry in Entries(CanonicalNormalizationData.CombiningClasses))
        {
            int colon = entry.IndexOf(':');
            var (first, last) = Span(entry[..colon]);
            byte ccc = byte.Parse(entry[(colon + 1)..], CultureInfo.InvariantCulture);
            for (int cp = first; cp <= last; cp++) CombiningClasses[cp] = ccc;
        }
        var excluded = new HashSet<int>();
        foreach (string entry in Entries(CanonicalNormalizationData.CompositionExclusions))
        {
            var (first, last) = Span(entry);
            for (int cp = first; cp <= last; cp++) excluded.Add(cp);
        }
        FullDecompositions = [];
        foreach (int cp in raw.Keys) FullDecompositions[cp] = Expand(cp, raw).ToArray();
        Compositions = [];
        foreach (var (cp, parts) in raw)
            if (parts.Length == 2 && !excluded.Contains(cp))
                Compositions[Pair(parts[0], parts[1])] = cp;
    }

    /// <summary>Canonical decomposition followed by canonical composition (NFC).</summary>
    public static string ToNfc(string text) => IsAscii(text) ? text : Compose(Decompose(text));

    /// <summary>Canonical decomposition with canonical ordering (NFD).</summary>
    public static string ToNfd(string text) => IsAscii(text) ? text : ToUtf16(Decompose(text));

    private static bool IsAscii(string text) => Ascii.IsValid(text);

    private static List<int> Decompose(string text)
    {
        var cps = new List<int>(text.Length);
        foreach (Rune rune in text.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp is >= SBase and < SBase + SCount)
            {
                int s = cp - SBase;
                cps.Add(LBase + s / NCount);
                cps.Add(VBase + s % NCount / TCount);
                if (s % TCount != 0) cps.Add(TBase + s % TCount);
            }
            else if (FullDecompositions.TryGetValue(cp, out var parts)) cps.AddRange(parts);
            else cps.Add(cp);
        }
        // Canonical ordering: a stable sort of every run of non-starters by combining class.
        for (int i = 1; i < cps.Count; i++)
        {
            byte ccc = ClassOf(cps[i]);
            if (ccc == 0) continue;
            int j = i;
            while (j > 0 && ClassOf(cps[j - 1]) > ccc)
            {
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
                j--;
            }
        }
        return cps;
    }

    private static string Compose(List<int> cps)
    {
        if (cps.Count == 0) return "";
        int starter = -1;
        int lastClass = -1;
        var result = new List<int>(cps.Count);
        foreach (int cp in cps)
        {
            byte ccc = ClassOf(cp);
            if (starter >= 0 && (lastClass < ccc || lastClass == 0 && result.Count - 1 == starter)
                && TryCompose(result[starter], cp, out int composite))
            {
                result[starter] = composite;
                continue;
            }
            if (ccc == 0)
            {
                starter = result.Count;
                lastClass = 0;
            }
            else lastClass = ccc;
            result.Add(cp);
        }
        return ToUtf16(result);
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
        {
            composite = SBase + ((first - LBase) * VCount + second - VBase) * TCount;
            return true;
        }
        if (first is >= SBase and < SBase + SCount && (first - SBase) % TCount == 0 && second is > TBase and < TBase + TCount)
        {
            composite = first + second - TBase;
            return true;
        }
        return Compositions.TryGetValue(Pair(first, second), out composite);
    }

    private static byte ClassOf(int cp) => CombiningClasses.GetValueOrDefault(cp);

    private static IEnumerable<int> Expand(int cp, Dictionary<int, int[]> raw) =>
        raw.TryGetValue(cp, out var parts) ? parts.SelectMany(p => Expand(p, raw)) : [cp];

    private static string ToUtf16(List<int> cps)
    {
        var sb = new StringBuilder(cps.Count);
        foreach (int cp in cps) sb.Append(char.ConvertFromUtf32(cp));
        return sb.ToString();
    }

    private static long Pair(int first, int second) => (long)first << 21 | (uint)second;

    private static IEnumerable<string> Entries(string list) => list.Split(';', StringSplitOptions.RemoveEmptyEntries);

    private static int Hex(string s) => int.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static (int First, int Last) Span(string s)
    {
        int dash = s.IndexOf('-');
        return dash < 0 ? (Hex(s), Hex(s)) : (Hex(s[..dash]), Hex(s[(dash + 1)..]));
    }
}
