using System.Globalization;

namespace EvoMerge.Merging;

/// <summary>
/// The values a numeric parameter may take: an optional lower bound (inclusive or exclusive) and an optional inclusive
/// upper bound. Declared once on the parameter (<see cref="MergeParameter.Domain"/>); the recipe check, the search
/// config's gene ranges and the schema all read it from there.
/// </summary>
/// <param name="Minimum">Smallest allowed value (null: unbounded below).</param>
/// <param name="MinimumExclusive">True when <paramref name="Minimum"/> itself is not allowed.</param>
/// <param name="Maximum">Largest allowed value (null: unbounded above).</param>
public sealed record ParameterDomain(double? Minimum, bool MinimumExclusive, double? Maximum)
{
    /// <summary>Every number.</summary>
    public static ParameterDomain Any { get; } = new(null, false, null);

    /// <summary>[0, 1].</summary>
    public static ParameterDomain UnitInterval { get; } = new(0.0, false, 1.0);

    /// <summary>(0, 1]: a fraction that keeps something.</summary>
    public static ParameterDomain PositiveFraction { get; } = new(0.0, true, 1.0);

    /// <summary>[0, ∞).</summary>
    public static ParameterDomain NonNegative { get; } = new(0.0, false, null);

    /// <summary>[<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public static ParameterDomain Between(double minimum, double maximum) => new(minimum, false, maximum);

    /// <summary>True when no bound is set.</summary>
    public bool IsUnbounded => Minimum is null && Maximum is null;

    /// <summary>Whether <paramref name="value"/> lies in the domain.</summary>
    public bool Contains(double value) =>
        !double.IsNaN(value)
        && (Minimum is not { } min || (MinimumExclusive ? value > min : value >= min))
        && (Maximum is not { } max || value <= max);

    /// <summary>The domain as an interval: "(0, 1]", "[0, 8]", "[0, ∞)", "(−∞, 1]", "(−∞, ∞)".</summary>
    public override string ToString() =>
        (Minimum is { } min ? (MinimumExclusive ? "(" : "[") + Format(min) : "(−∞")
        + ", " + (Maximum is { } max ? Format(max) + "]" : "∞)");

    private static string Format(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
