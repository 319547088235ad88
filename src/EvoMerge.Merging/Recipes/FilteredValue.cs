namespace EvoMerge.Merging.Recipes;

/// <summary>One branch of a <see cref="ConditionalSetting"/>: a filter (null = all tensors) and a scalar or gradient.</summary>
public sealed record FilteredValue(string? Filter, ParameterSetting Value, int Line)
{
    /// <summary>True when the filter is absent, "*", or a substring of <paramref name="tensorName"/>.</summary>
    public bool Matches(string tensorName) =>
        Filter is null || Filter == "*" || tensorName.Contains(Filter, StringComparison.Ordinal);
}
