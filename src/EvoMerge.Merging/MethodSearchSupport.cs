namespace EvoMerge.Merging;

/// <summary>
/// What a search needs to offer a merge method as a candidate: which models a candidate merges and how many sources
/// it takes. Its genes are its parameters that carry a <see cref="MergeParameter.Gene"/>. A method without this
/// declaration can still run in recipes but is not searchable.
/// </summary>
/// <param name="Inputs">The models a candidate merges.</param>
/// <param name="MinSources">Fewest source models (besides the base) the method can be searched with.</param>
/// <param name="MaxSources">Most source models, or null for no upper bound.</param>
public sealed record MethodSearchSupport(SearchInputs Inputs, int MinSources = 1, int? MaxSources = null)
{
    /// <summary>Base plus any number (≥ 1) of sources.</summary>
    public static MethodSearchSupport TaskVectors { get; } = new(SearchInputs.BaseAndSources);

    /// <summary>Null when <paramref name="sources"/> source models suit the method, otherwise why not.</summary>
    public string? SourceCountViolation(string method, int sources)
    {
        if (MaxSources is { } max && max == MinSources && sources != max)
            return $"{method} merges exactly {max} source models; models lists {sources}";
        if (sources < MinSources)
            return $"{method} needs at least {MinSources} source models; models lists {sources}";
        if (MaxSources is { } most && sources > most)
            return $"{method} merges at most {most} source models; models lists {sources}";
        return null;
    }
}
