using System.Globalization;

namespace EvoMerge.Merging;

/// <summary>
/// How a search varies one numeric parameter: a real gene in [0, 1] mapped linearly to [<see cref="Low"/>,
/// <see cref="High"/>] (a search config may override that default range within the parameter's domain). Declared on
/// the parameter itself (<see cref="MergeParameter.Gene"/>), so the genome layout, the config schema and
/// <c>evomerge methods</c> all read one declaration. Methods that share a gene name share the gene, and must declare
/// the same range.
/// </summary>
/// <param name="Low">Default lower end of the range.</param>
/// <param name="High">Default upper end of the range.</param>
/// <param name="Description">What the value means, one phrase (for the schema and listings).</param>
public sealed record SearchGene(double Low, double High, string Description)
{
    /// <summary>The values a configured range may reach: the parameter's <see cref="MergeParameter.Domain"/>, set by <see cref="MergeParameter.Searched"/>.</summary>
    public ParameterDomain Domain { get; init; } = ParameterDomain.Any;

    /// <summary>True when <paramref name="other"/> declares the same default range and domain (descriptions may differ).</summary>
    public bool SameRange(SearchGene other) => Low.Equals(other.Low) && High.Equals(other.High) && Domain.Equals(other.Domain);

    /// <summary>
    /// Null when [<paramref name="low"/>, <paramref name="high"/>] lies in the domain, otherwise why not, naming the
    /// first value outside and the domain ("0 is outside the allowed range (0, 1]").
    /// </summary>
    public string? BoundsViolation(double low, double high)
    {
        double? outside = !Domain.Contains(low) ? low : !Domain.Contains(high) ? high : null;
        return outside is { } value ? $"{Format(value)} is outside the allowed range {Domain}" : null;
    }

    private static string Format(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
