using System.Text.RegularExpressions;

namespace EvoMerge.Inference.Tokenization;

/// <summary>A tokenizer.json <c>pattern</c>: <c>{"String": "..."}</c> (literal) or <c>{"Regex": "..."}</c>.</summary>
internal sealed class TextPattern
{
    private readonly string? literal;

    private TextPattern(string? literal, Regex regex)
    {
        this.literal = literal;
        Regex = regex;
    }

    /// <summary>The pattern as a .NET regex (a literal is escaped).</summary>
    public Regex Regex { get; }

    public string Replace(string text, string content) =>
        literal is not null ? text.Replace(literal, content, StringComparison.Ordinal) : Regex.Replace(text, content);

    public static TextPattern From(TokenizerJsonElement pattern)
    {
        if (pattern.FindString("String") is { } literal)
            return new TextPattern(literal, new Regex(Regex.Escape(literal), RegexOptions.CultureInvariant));
        var source = pattern.Get("Regex");
        try
        {
            return new TextPattern(null, new Regex(source.AsString(), RegexOptions.CultureInvariant | RegexOptions.Compiled));
        }
        catch (ArgumentException e)
        {
            throw source.Error($"is not a regular expression .NET accepts: {e.Message}");
        }
    }
}
