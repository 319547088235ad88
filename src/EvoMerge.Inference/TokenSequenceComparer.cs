namespace EvoMerge.Inference;

/// <summary>Equality of token id sequences by content (used to find requests that share a context).</summary>
internal sealed class TokenSequenceComparer : IEqualityComparer<IReadOnlyList<int>>
{
    /// <summary>The single instance.</summary>
    public static readonly TokenSequenceComparer Instance = new();

    /// <inheritdoc />
    public bool Equals(IReadOnlyList<int>? x, IReadOnlyList<int>? y)
    {
        if (ReferenceEquals(x, y)) return true;
        if (x is null || y is null || x.Count != y.Count) return false;
        for (int i = 0; i < x.Count; i++)
        {
            if (x[i] != y[i]) return false;
        }
        return true;
    }

    /// <inheritdoc />
    public int GetHashCode(IReadOnlyList<int> tokens)
    {
        var hash = new HashCode();
        hash.Add(tokens.Count);
        foreach (int t in tokens) hash.Add(t);
        return hash.ToHashCode();
    }
}
