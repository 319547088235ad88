namespace EvoMerge.Merging.Recipes;

/// <summary>
/// A list of <c>{filter, value}</c> branches: the first branch whose filter is a substring of the tensor name wins;
/// a branch without a filter (or with "*") matches every tensor. No match evaluates to null.
/// </summary>
public sealed record ConditionalSetting(IReadOnlyList<FilteredValue> Branches, int Line) : ParameterSetting(Line)
{
    /// <inheritdoc />
    public override double? Evaluate(string tensorName, double t)
    {
        foreach (var branch in Branches)
        {
            if (branch.Matches(tensorName)) return branch.Value.Evaluate(tensorName, t);
        }
        return null;
    }

    /// <inheritdoc />
    public override IEnumerable<(double Value, ParameterKind Kind, int Line)> PlainValues() => Branches.SelectMany(b => b.Value.PlainValues());
}
