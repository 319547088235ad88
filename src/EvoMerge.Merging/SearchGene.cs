using System.Globalization;

namespace EvoMerge.Merging;

/// <summary>
/// How a search varies one numeric parameter: a real gene in [0, 1] mapped linearly to [<see cref="Low"/>,
/// <see cref="High"/>] (a search config may override that default range within the bounds). Declared on the parameter
/// itself (<see cref="MergeParameter.Gene"/>), so the genome layout, the config schema and <c>evomerge methods</c>
/// all read one declaration. Methods that share a gene name share the gene, and must declare the same range.
/// </summary>
/// <param name="Low">Default lower end of the range.</param>
/// <param name="High">Default upper end of the range.</param>
/// <param name="Description">What the value means, one phrase (for the schema and listings).</param>
public sealed record SearchGene(double Low, double High, string Description)
{
    /// <summary>Smallest value a configured range may reach (null: unbounded).</summary>
    public double? Minimum { get; init; }

    /// <summary>True when <see cref="Minimum"/> itself is not allowed (the range must stay above it).</summary>
    public bool MinimumExclusive { get; init; }

    /// <summary>Largest value a configured range may reach (null: unbounded).</summary>
    public double? Maximum { get; init; }

    /// <summary>True when <paramref name="other"/> declares the same default range and bounds (descriptions may differ).</summary>
    public bool SameRange(SearchGene other) =>
        Low.Equals(other.Low) && High.Equals(other.High) && Minimum.Equals(other.Minimum)
        && MinimumExclusive == other.MinimumExclusive && Maximum.Equals(other.Maximum);

    /// <summary>Null when [<paramref name="low"/>, <paramref name="high"/>] respects the bounds, otherwise why not.</summary>
    public string? BoundsViolation(double low, double high)
    {
        bool belowMinimum = Minimum is { } min && (MinimumExclusive ? low <= min : low < min);
        bool aboveMaximum = Maximum is { } max && high > max;
        if (!belowMinimum && !aboveMaximum) return null;
        return $"values must {BoundsText()}";
    }

    /// <summary>The bounds in words ("be greater than 0", "lie in [0, 1]"), or null when unbounded.</summary>
    public string? BoundsText() => (Minimum, Maximum) switch
    {
        (null, null) => null,
        ({ } min, null) => MinimumExclusive ? $"be greater than {Format(min)}" : $"be at least {Format(min)}",
        (null, { } max) => $"be at most {Format(max)}",
        ({ } min, { } max) => MinimumExclusive ? $"lie in ({Format(min)}, {Format(max)}]" : $"lie in [{Format(min)}, {Format(max)}]",
    };

    private static string Format(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
