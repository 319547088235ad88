namespace EvoMerge.Merging;

/// <summary>
/// Values of a parameter outside its usual <see cref="MergeParameter.Domain"/> that mergekit merges anyway, so a recipe
/// may give them: <paramref name="Accepted"/> is the wider range, and <paramref name="BelowMinimum"/> and
/// <paramref name="AboveMaximum"/> say in the recipe warning what such a value does (e.g. "slerp extrapolates past the
/// base"). A value outside <paramref name="Accepted"/> stays an error.
/// </summary>
/// <param name="Accepted">Every value a recipe may give.</param>
/// <param name="BelowMinimum">What a value below the usual domain does.</param>
/// <param name="AboveMaximum">What a value above the usual domain does.</param>
public sealed record UnusualValues(ParameterDomain Accepted, string BelowMinimum, string AboveMaximum)
{
    /// <summary>What <paramref name="value"/>, outside <paramref name="usual"/>, does.</summary>
    public string Reason(double value, ParameterDomain usual) =>
        usual.Minimum is { } min && (usual.MinimumExclusive ? value <= min : value < min) ? BelowMinimum : AboveMaximum;
}
