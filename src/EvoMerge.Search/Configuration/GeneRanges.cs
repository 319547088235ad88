namespace EvoMerge.Search.Configuration;

/// <summary>
/// Config <c>genome.ranges</c>: the ranges the config sets for merge-parameter genes, by gene name. A gene not listed
/// keeps the range its merge methods declare (<see cref="Merging.SearchGene"/>).
/// </summary>
public sealed record GeneRanges
{
    private readonly IReadOnlyDictionary<string, GeneRange> _configured;

    /// <summary>No ranges configured: every gene keeps its declared range.</summary>
    public GeneRanges() : this(new Dictionary<string, GeneRange>(StringComparer.Ordinal)) { }

    /// <summary>The configured ranges by gene name.</summary>
    public GeneRanges(IReadOnlyDictionary<string, GeneRange> configured) => _configured = configured;

    /// <summary>The configured ranges by gene name.</summary>
    public IReadOnlyDictionary<string, GeneRange> Configured => _configured;

    /// <summary>The range of gene <paramref name="name"/>: the configured one, else the declared <paramref name="declared"/>.</summary>
    public GeneRange For(string name, Merging.SearchGene declared) =>
        _configured.TryGetValue(name, out var range) ? range : new GeneRange(declared.Low, declared.High);

    /// <summary>Ranges with <paramref name="name"/> set to <paramref name="range"/>.</summary>
    public GeneRanges With(string name, GeneRange range) =>
        new(new Dictionary<string, GeneRange>(_configured, StringComparer.Ordinal) { [name] = range });

    /// <inheritdoc/>
    public bool Equals(GeneRanges? other) =>
        other is not null && _configured.Count == other._configured.Count
        && _configured.All(p => other._configured.TryGetValue(p.Key, out var r) && r.Equals(p.Value));

    /// <inheritdoc/>
    public override int GetHashCode() => _configured.Count;
}
