namespace EvoMerge.Merging;

/// <summary>
/// One number per tensor of a merge (see <see cref="IInterLayerMergeMethod"/>), grouped by kind: the tensors that play
/// the same part in different layers (every layer's <c>mlp.up_proj.weight</c>) are one kind, every other tensor is
/// its own. A tensor is compared with the mean of its kind.
/// </summary>
public sealed class LayerStatistics
{
    private readonly Dictionary<string, (string Kind, double Value)> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _kindMeans = new(StringComparer.Ordinal);

    /// <param name="entries">Each tensor's name, kind and statistic (tensors without one are left out).</param>
    public LayerStatistics(IEnumerable<(string Name, string Kind, double Value)> entries)
    {
        foreach (var (name, kind, value) in entries)
            _values[name] = (kind, value);
        foreach (var group in _values.Values.GroupBy(v => v.Kind, StringComparer.Ordinal))
            _kindMeans[group.Key] = group.Average(v => v.Value);
    }

    /// <summary>Number of tensors with a statistic.</summary>
    public int Count => _values.Count;

    /// <summary>
    /// The tensor's statistic divided by the mean over its kind; null when the tensor has none or its kind's mean is
    /// not positive.
    /// </summary>
    public double? RelativeToKind(string tensorName) =>
        _values.TryGetValue(tensorName, out var entry) && _kindMeans[entry.Kind] > 0.0 ? entry.Value / _kindMeans[entry.Kind] : null;
}
