namespace EvoMerge.Merging.Recipes;

/// <summary>One number or boolean (stored as 0/1) used for every tensor.</summary>
public sealed record ScalarSetting(double Value, ParameterKind Kind, int Line) : ParameterSetting(Line)
{
    /// <inheritdoc />
    public override double? Evaluate(string tensorName, double t) => Value;

    /// <inheritdoc />
    public override IEnumerable<(double Value, ParameterKind Kind, int Line)> PlainValues() => [(Value, Kind, Line)];
}
