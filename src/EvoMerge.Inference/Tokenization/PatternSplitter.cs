using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// Splits text with a pre-tokenizer regex the way HuggingFace's <c>Split</c> does, by code point: .NET regexes see a
/// character outside the BMP as two surrogates that match neither <c>\p{L}</c> nor <c>\p{N}</c>, so such characters
/// are matched through a stand-in BMP character of the same Unicode category and the pieces cut from the original.
/// </summary>
internal sealed class PatternSplitter(Regex regex, bool keepMatches = true, bool keepGaps = true)
{
    private static readonly Dictionary<UnicodeCategory, char> StandIns = FindStandIns();

    /// <summary>Appends the pieces of <paramref name="text"/>: the matches and the text between them, as kept.</summary>
    public void Split(string text, List<string> output)
    {
        if (text.Length == 0) return;
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            Cut(text, text, null, output);
            return;
        }
        var subject = new StringBuilder(text.Length);
        var origin = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length; i++)
        {
            origin.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]));
                subject.Append(StandIns.GetValueOrDefault(category, '\uE000'));
                i++;
            }
            else subject.Append(text[i]);
        }
        origin.Add(text.Length);
        Cut(text, subject.ToString(), origin, output);
    }

    private void Cut(string text, string subject, List<int>? origin, List<string> output)
    {
        int At(int index) => origin is null ? index : origin[index];
        int last = 0;
        foreach (var match in regex.EnumerateMatches(subject))
        {
            if (match.Length == 0) continue;
            if (match.Index > last && keepGaps) output.Add(text[At(last)..At(match.Index)]);
            if (keepMatches) output.Add(text[At(match.Index)..At(match.Index + match.Length)]);
            last = match.Index + match.Length;
        }
        if (last < subject.Length && keepGaps) output.Add(text[At(last)..]);
    }

    /// <summary>For each category, a non-ASCII BMP character whose case variants are not ASCII either.</summary>
    private static Dictionary<UnicodeCategory, char> FindStandIns()
    {
        var found = new Dictionary<UnicodeCategory, char>();
        for (int c = 0x100; c <= 0xFFFF; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF) continue;
            char ch = (char)c;
            if (char.ToUpperInvariant(ch) < 0x80 || char.ToLowerInvariant(ch) < 0x80 || ch is '\u017F' or '\u212A') continue;
            found.TryAdd(CharUnicodeInfo.GetUnicodeCategory(ch), ch);
        }
        return found;
    }
}
