namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// Cuts added tokens out of a text the way HuggingFace tokenizers do: leftmost match first, the longest token
/// where several start at the same place, with the token's lstrip/rstrip/single_word options.
/// </summary>
internal sealed class AddedTokenSplitter
{
    private readonly Dictionary<char, AddedToken[]> tokensByFirstChar;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        tokensByFirstChar = tokens
            .Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    public bool IsEmpty => tokensByFirstChar.Count == 0;

    /// <summary>Appends the segments of <paramref name="text"/> (empty text segments are left out).</summary>
    public void Split(string text, bool atInputStart, List<TextSegment> output)
    {
        if (IsEmpty)
        {
            if (text.Length > 0) output.Add(new TextSegment(text, null, atInputStart));
            return;
        }
        int textStart = 0;
        int pos = 0;
        while (pos < text.Length)
        {
            var match = MatchAt(text, pos);
            if (match is null)
            {
                pos++;
                continue;
            }
            int start = pos, end = pos + match.Content.Length;
            if (match.LeftStrip)
                while (start > textStart && char.IsWhiteSpace(text[start - 1])) start--;
            if (match.RightStrip)
                while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
            if (start > textStart) output.Add(new TextSegment(text[textStart..start], null, atInputStart && textStart == 0));
            output.Add(new TextSegment(match.Content, match, atInputStart && start == 0));
            textStart = pos = end;
        }
        if (textStart < text.Length) output.Add(new TextSegment(text[textStart..], null, atInputStart && textStart == 0));
    }

    private AddedToken? MatchAt(string text, int pos)
    {
        if (!tokensByFirstChar.TryGetValue(text[pos], out var candidates)) return null;
        foreach (var token in candidates)
        {
            if (!text.AsSpan(pos).StartsWith(token.Content, StringComparison.Ordinal)) continue;
            if (token.SingleWord && !(IsBoundary(text, pos - 1) && IsBoundary(text, pos + token.Content.Length))) continue;
            return token;
        }
        return null;
    }

    private static bool IsBoundary(string text, int index) =>
        index < 0 || index >= text.Length || !(char.IsLetterOrDigit(text[index]) || text[index] == '_');
}
