using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace EvoMerge.Evaluation;

/// <summary>
/// One model's per-item values: task name → metric → one value per scored item, in the order the items were asked
/// (see <see cref="ITaskScorer.ScoreItems"/>). Enumerates tasks in insertion order, so its JSON form is stable.
/// </summary>
public sealed class ItemScores : IReadOnlyDictionary<string, IReadOnlyDictionary<string, double[]>>
{
    private readonly Dictionary<string, IReadOnlyDictionary<string, double[]>> _tasks;

    /// <summary>Scores of the given tasks, in that order.</summary>
    public ItemScores(IEnumerable<KeyValuePair<string, IReadOnlyDictionary<string, double[]>>> tasks) =>
        _tasks = new Dictionary<string, IReadOnlyDictionary<string, double[]>>(tasks, StringComparer.Ordinal);

    /// <summary>No task scored.</summary>
    public static ItemScores Empty { get; } = new([]);

    /// <summary>Scores copied from mutable per-task dictionaries, in their order.</summary>
    public static ItemScores From<TMetrics>(IEnumerable<KeyValuePair<string, TMetrics>> tasks) where TMetrics : IReadOnlyDictionary<string, double[]> =>
        new(tasks.Select(t => KeyValuePair.Create(t.Key, (IReadOnlyDictionary<string, double[]>)t.Value.ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal))));

    /// <summary>The per-item values of <paramref name="metric"/> on <paramref name="task"/>.</summary>
    public double[] Of(string task, string metric) => _tasks[task][metric];

    public IReadOnlyDictionary<string, double[]> this[string key] => _tasks[key];

    public IEnumerable<string> Keys => _tasks.Keys;

    public IEnumerable<IReadOnlyDictionary<string, double[]>> Values => _tasks.Values;

    public int Count => _tasks.Count;

    public bool ContainsKey(string key) => _tasks.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out IReadOnlyDictionary<string, double[]> value) => _tasks.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, IReadOnlyDictionary<string, double[]>>> GetEnumerator() => _tasks.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
