using System.Text;
using System.Text.RegularExpressions;

namespace EvoMerge.Evaluation;

/// <summary>Applies <see cref="AnswerNormalization"/> steps and maps them to and from their YAML names.</summary>
public static partial class AnswerNormalizer
{
    private const string AsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /// <summary>YAML names of the steps, in declaration order.</summary>
    public static IReadOnlyDictionary<string, AnswerNormalization> ByName { get; } = new Dictionary<string, AnswerNormalization>(StringComparer.Ordinal)
    {
        ["strip"] = AnswerNormalization.Strip,
        ["lower"] = AnswerNormalization.Lower,
        ["remove_punctuation"] = AnswerNormalization.RemovePunctuation,
        ["remove_articles"] = AnswerNormalization.RemoveArticles,
        ["collapse_whitespace"] = AnswerNormalization.CollapseWhitespace,
        ["remove_whitespace"] = AnswerNormalization.RemoveWhitespace,
    };

    /// <summary>Applies <paramref name="steps"/> to <paramref name="text"/> in order.</summary>
    public static string Apply(string text, IEnumerable<AnswerNormalization> steps)
    {
        foreach (var step in steps) text = Apply(text, step);
        return text;
    }

    /// <summary>Applies one step.</summary>
    public static string Apply(string text, AnswerNormalization step) => step switch
    {
        AnswerNormalization.Strip => text.Trim(),
        AnswerNormalization.Lower => text.ToLowerInvariant(),
        AnswerNormalization.RemovePunctuation => RemoveAsciiPunctuation(text),
        AnswerNormalization.RemoveArticles => Articles().Replace(text, " "),
        AnswerNormalization.CollapseWhitespace => Whitespace().Replace(text, " "),
        AnswerNormalization.RemoveWhitespace => Whitespace().Replace(text, ""),
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
    };

    private static string RemoveAsciiPunctuation(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
            if (!AsciiPunctuation.Contains(c)) builder.Append(c);
        return builder.ToString();
    }

    [GeneratedRegex(@"\b(a|an|the)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Articles();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
