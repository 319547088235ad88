namespace EvoMerge.Merging;

/// <summary>Whether a parameter is set once per tensor (global) or once per input model.</summary>
public enum ParameterScope
{
    /// <summary>One value per output tensor (e.g. <c>t</c>, <c>normalize</c>, <c>lambda</c>).</summary>
    Global,
    /// <summary>One value per input model and tensor (e.g. <c>weight</c>, <c>density</c>).</summary>
    PerModel,
}

/// <summary>The value type of a parameter.</summary>
public enum ParameterKind
{
    Number,
    Boolean,
}

/// <summary>
/// A parameter a merge method declares: name, scope, kind, default (null = none), whether it is required, the values
/// it may take (<see cref="Domain"/>), and (<see cref="Gene"/>) whether and over which range a search varies it.
/// </summary>
public sealed record MergeParameter(string Name, ParameterScope Scope, ParameterKind Kind, double? Default, bool Required)
{
    /// <summary>The search gene of this parameter (numbers only), or null when a search leaves it at its default.</summary>
    public SearchGene? Gene { get; init; }

    /// <summary>The values a recipe or a gene range may give this parameter (numbers only; default: any).</summary>
    public ParameterDomain Domain { get; init; } = ParameterDomain.Any;

    /// <summary>
    /// True when a recipe value above <see cref="ParameterDomain.Maximum"/> is accepted, as mergekit accepts it, and
    /// acts as the maximum (a density above 1 keeps every element, as density 1 does), with one warning; gene ranges
    /// and the schema keep the domain.
    /// </summary>
    public bool SaturatesAboveMaximum { get; init; }

    /// <summary>
    /// Values outside <see cref="Domain"/> that a recipe may still give, as mergekit merges them, each with one warning
    /// saying why the value is unusual (null: every value outside the domain is an error). Gene ranges and the schema
    /// keep the domain.
    /// </summary>
    public UnusualValues? Unusual { get; init; }

    /// <summary>This parameter accepting the values of <paramref name="unusual"/> outside its domain, with a warning.</summary>
    public MergeParameter AcceptingUnusual(UnusualValues unusual) =>
        Kind == ParameterKind.Number ? this with { Unusual = unusual } : throw new ArgumentException($"{Name}: only numbers have a domain");

    /// <summary>This parameter with <see cref="SaturatesAboveMaximum"/> set (its domain must have a maximum).</summary>
    public MergeParameter SaturatingAboveMaximum() =>
        Domain.Maximum is null ? throw new ArgumentException($"{Name}: only a domain with a maximum saturates") : this with { SaturatesAboveMaximum = true };

    /// <summary>The value a method sees for a recipe value: the domain's maximum for values above it when <see cref="SaturatesAboveMaximum"/>, else the value.</summary>
    public double Effective(double value) => SaturatesAboveMaximum && Domain.Maximum is { } max && value > max ? max : value;

    /// <summary>This parameter as a search gene over <paramref name="gene"/>'s range, bounded by <see cref="Domain"/>.</summary>
    public MergeParameter Searched(SearchGene gene) =>
        Kind == ParameterKind.Number ? this with { Gene = Bounded(gene, Domain) } : throw new ArgumentException($"{Name}: only numbers can be genes");

    /// <summary>This parameter limited to <paramref name="domain"/> (its default and gene range must lie in it).</summary>
    public MergeParameter Within(ParameterDomain domain)
    {
        if (Kind != ParameterKind.Number) throw new ArgumentException($"{Name}: only numbers have a domain");
        if (Default is { } d && !domain.Contains(d)) throw new ArgumentException($"{Name}: default {d} is outside {domain}");
        return this with { Domain = domain, Gene = Gene is null ? null : Bounded(Gene, domain) };
    }

    private SearchGene Bounded(SearchGene gene, ParameterDomain domain) =>
        domain.Contains(gene.Low) && domain.Contains(gene.High)
            ? gene with { Domain = domain }
            : throw new ArgumentException($"{Name}: gene range [{gene.Low}, {gene.High}] is outside {domain}");

    public static MergeParameter Number(string name, ParameterScope scope, double? defaultValue = null, bool required = false) =>
        new(name, scope, ParameterKind.Number, defaultValue, required);

    public static MergeParameter Flag(string name, bool defaultValue) =>
        new(name, ParameterScope.Global, ParameterKind.Boolean, defaultValue ? 1.0 : 0.0, false);
}
