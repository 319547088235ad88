namespace EvoMerge.Merging.Recipes;

/// <summary>
/// A recipe parameter value before resolution: a scalar, a gradient over layers, or a list of filtered values.
/// Evaluating it for one tensor gives a number (booleans are 0/1), or null when no filter matches (the resolver then
/// falls through to the next precedence level).
/// </summary>
public abstract record ParameterSetting(int Line)
{
    /// <summary>
    /// The value for a tensor at layer position <paramref name="t"/> in [0, 1]; null when a filtered setting has no
    /// branch matching <paramref name="tensorName"/>.
    /// </summary>
    public abstract double? Evaluate(string tensorName, double t);

    /// <summary>Every plain value inside this setting with its kind and line, for type and domain checks against a method.</summary>
    public abstract IEnumerable<(double Value, ParameterKind Kind, int Line)> PlainValues();
}
