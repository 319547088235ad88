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
/// A parameter a merge method declares: name, scope, kind, default (null = none), whether it is required, and
/// (<see cref="Gene"/>) whether and over which range a search varies it.
/// </summary>
public sealed record MergeParameter(string Name, ParameterScope Scope, ParameterKind Kind, double? Default, bool Required)
{
    /// <summary>The search gene of this parameter (numbers only), or null when a search leaves it at its default.</summary>
    public SearchGene? Gene { get; init; }

    /// <summary>This parameter as a search gene over <paramref name="gene"/>'s range.</summary>
    public MergeParameter Searched(SearchGene gene) =>
        Kind == ParameterKind.Number ? this with { Gene = gene } : throw new ArgumentException($"{Name}: only numbers can be genes");

    public static MergeParameter Number(string name, ParameterScope scope, double? defaultValue = null, bool required = false) =>
        new(name, scope, ParameterKind.Number, defaultValue, required);

    public static MergeParameter Flag(string name, bool defaultValue) =>
        new(name, ParameterScope.Global, ParameterKind.Boolean, defaultValue ? 1.0 : 0.0, false);
}
