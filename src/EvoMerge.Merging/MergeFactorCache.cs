using TorchSharp;

namespace EvoMerge.Merging;

/// <summary>
/// The expensive intermediates of a merge that depend only on the source tensors (and on a parameter the caller puts in
/// the key), kept between candidates of one search: the subspace methods' decompositions of the task updates
/// (tsv, iso_c, iso_cts, esm) and TIES's magnitude orders. Bounded by a byte budget with least-recently-used eviction;
/// an entry larger than the whole budget is computed and not kept. A cache belongs to one set of source models (a
/// search run, a benchmark): keys name tensors and models, not their contents, so it must not outlive its sources.
/// Results are bit-identical with and without it: a cached value is exactly what the computation returned.
/// Thread-safe; the computation runs outside the lock (two threads may compute the same entry once each).
/// </summary>
public sealed class MergeFactorCache : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();

    /// <param name="budgetBytes">The most bytes held (tensor elements and managed arrays); 0 keeps nothing.</param>
    public MergeFactorCache(long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        BudgetBytes = budgetBytes;
    }

    /// <summary>The most bytes held.</summary>
    public long BudgetBytes { get; }

    /// <summary>Bytes held now.</summary>
    public long HeldBytes { get; private set; }

    /// <summary>Lookups answered from the cache.</summary>
    public long Hits { get; private set; }

    /// <summary>Lookups that computed their value.</summary>
    public long Misses { get; private set; }

    /// <summary>Entries dropped to stay within the budget.</summary>
    public long Evictions { get; private set; }

    /// <summary>Number of entries held.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _entries.Count;
        }
    }

    /// <summary>The counters and the bytes held now, read together.</summary>
    public MergeFactorCacheStatistics Statistics()
    {
        lock (_gate) return new(Hits, Misses, Evictions, _entries.Count, HeldBytes, BudgetBytes);
    }

    /// <summary>
    /// The tensors stored under <paramref name="key"/>, or those <paramref name="compute"/> returns (then stored when
    /// they fit the budget). The result's handles belong to the caller's dispose scope and share storage with the
    /// cache: read them, never write into them. An entry evicted later stays valid for a caller still holding it.
    /// </summary>
    public torch.Tensor[] Tensors(string key, Func<torch.Tensor[]> compute)
    {
        if (Find(key) is torch.Tensor[] held) return [.. held.Select(t => t.detach())];
        var computed = compute();
        long bytes = computed.Sum(t => t.numel() * t.ElementSize);
        if (bytes > BudgetBytes) return computed;
        var kept = computed.Select(t => t.clone().DetachFromDisposeScope()).ToArray();
        if (!Add(key, kept, bytes, () => { foreach (var t in kept) t.Dispose(); }))
            foreach (var t in kept) t.Dispose();
        return computed;
    }

    /// <summary>
    /// The managed value stored under <paramref name="key"/>, or the one <paramref name="compute"/> returns (stored when
    /// its <paramref name="bytes"/> fit the budget). The value must be immutable.
    /// </summary>
    public T Value<T>(string key, Func<T> compute, Func<T, long> bytes) where T : class
    {
        if (Find(key) is T held) return held;
        var value = compute();
        long size = bytes(value);
        if (size <= BudgetBytes) Add(key, value, size, null);
        return value;
    }

    /// <summary>The value under <paramref name="key"/> if held (then the most recently used), counting a hit or a miss.</summary>
    private object? Find(string key)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                Hits++;
                return node.Value.Value;
            }
            Misses++;
            return null;
        }
    }

    /// <summary>Stores an entry, evicting the least recently used ones until it fits; false when another thread stored the key first.</summary>
    private bool Add(string key, object value, long bytes, Action? release)
    {
        var evicted = new List<Entry>();
        lock (_gate)
        {
            if (_entries.ContainsKey(key)) return false;
            while (HeldBytes + bytes > BudgetBytes && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Key);
                HeldBytes -= oldest.Value.Bytes;
                Evictions++;
                evicted.Add(oldest.Value);
            }
            _entries[key] = _recency.AddFirst(new Entry(key, value, bytes, release));
            HeldBytes += bytes;
        }
        foreach (var entry in evicted) entry.Release?.Invoke();
        return true;
    }

    /// <summary>Drops every entry.</summary>
    public void Dispose()
    {
        List<Entry> all;
        lock (_gate)
        {
            all = [.. _recency];
            _recency.Clear();
            _entries.Clear();
            HeldBytes = 0;
        }
        foreach (var entry in all) entry.Release?.Invoke();
    }

    private sealed record Entry(string Key, object Value, long Bytes, Action? Release);
}
