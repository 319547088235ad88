namespace EvoMerge.Merging.Recipes;

/// <summary>
/// Two precedence levels of one parameter as a single setting: <see cref="First"/>'s value, or
/// <see cref="Then"/>'s when no filter of <see cref="First"/> matches the tensor (a <c>modules:</c> entry's
/// parameters over the top-level ones, as mergekit reads them).
/// </summary>
public sealed record FallbackSetting(ParameterSetting First, ParameterSetting Then) : ParameterSetting(First.Line)
{
    /// <inheritdoc/>
    public override double? Evaluate(string tensorName, double t) => First.Evaluate(tensorName, t) ?? Then.Evaluate(tensorName, t);

    /// <inheritdoc/>
    public override IEnumerable<(double Value, ParameterKind Kind, int Line)> PlainValues() => First.PlainValues().Concat(Then.PlainValues());
}
