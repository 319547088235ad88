using System.Text;

namespace EvoMerge.Evaluation;

/// <summary>
/// A prompt over a document's columns: <c>{column}</c> is replaced by the column's value, <c>{{</c> and <c>}}</c>
/// stand for literal braces, as in Python's <c>str.format</c>.
/// </summary>
public sealed class PromptTemplate
{
    private readonly IReadOnlyList<(string Text, string? Column)> _parts;

    private PromptTemplate(string source, IReadOnlyList<(string Text, string? Column)> parts)
    {
        Source = source;
        _parts = parts;
        Columns = parts.Where(p => p.Column is not null).Select(p => p.Column!).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The template text as written.</summary>
    public string Source { get; }

    /// <summary>The columns the template names, each once, in order of first use.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>
    /// Parses <paramref name="template"/>; an unmatched brace or an empty <c>{}</c> throws <see cref="FormatException"/>
    /// with a message saying where.
    /// </summary>
    public static PromptTemplate Parse(string template)
    {
        var parts = new List<(string Text, string? Column)>();
        var literal = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                literal.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                literal.Append('}');
                i++;
            }
            else if (c == '}')
            {
                throw new FormatException($"single '}}' at character {i + 1} (write '}}}}' for a literal brace)");
            }
            else if (c == '{')
            {
                int end = template.IndexOfAny(['{', '}'], i + 1);
                if (end < 0 || template[end] != '}')
                    throw new FormatException($"'{{' at character {i + 1} is not closed by '}}' (write '{{{{' for a literal brace)");
                string column = template[(i + 1)..end];
                if (column.Length == 0) throw new FormatException($"empty '{{}}' at character {i + 1}: name a column");
                if (literal.Length > 0) parts.Add((literal.ToString(), null));
                literal.Clear();
                parts.Add(("", column));
                i = end;
            }
            else
            {
                literal.Append(c);
            }
        }
        if (literal.Length > 0) parts.Add((literal.ToString(), null));
        return new PromptTemplate(template, parts);
    }

    /// <summary>The prompt with each column replaced by <paramref name="valueOf"/>(column).</summary>
    public string Render(Func<string, string> valueOf)
    {
        var builder = new StringBuilder();
        foreach (var (text, column) in _parts) builder.Append(column is null ? text : valueOf(column));
        return builder.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Source;
}
