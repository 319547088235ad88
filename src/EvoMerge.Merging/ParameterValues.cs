namespace EvoMerge.Merging;

/// <summary>Parameter values resolved for one tensor (and one model, for per-model parameters). Booleans are 0/1.</summary>
public sealed class ParameterValues
{
    private readonly Dictionary<string, double> _values;

    public ParameterValues(IReadOnlyDictionary<string, double>? values = null)
    {
        _values = values is null ? new(StringComparer.Ordinal) : new(values, StringComparer.Ordinal);
    }

    /// <summary>The resolved values.</summary>
    public IReadOnlyDictionary<string, double> Values => _values;

    /// <summary>A numeric value; the method's declared default must already have been applied by the resolver.</summary>
    public double Get(string name) =>
        _values.TryGetValue(name, out double v) ? v : throw new KeyNotFoundException($"parameter '{name}' has no value");

    /// <summary>A numeric value or a fallback.</summary>
    public double Get(string name, double fallback) => _values.TryGetValue(name, out double v) ? v : fallback;

    /// <summary>A boolean value (non-zero is true).</summary>
    public bool Flag(string name) => Get(name) != 0.0;

    /// <summary>True when a value is present.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>Convenience for tests and code: builds values from pairs.</summary>
    public static ParameterValues Of(params (string Name, double Value)[] pairs) =>
        new(pairs.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal));
}
