using System.Globalization;

namespace EvoMerge.Merging;

/// <summary>A snapshot of a <see cref="MergeFactorCache"/>'s counters, for the search's log and the benchmarks.</summary>
/// <param name="Hits">Lookups answered from the cache.</param>
/// <param name="Misses">Lookups that computed their value.</param>
/// <param name="Evictions">Entries dropped to stay within the budget.</param>
/// <param name="Entries">Entries held.</param>
/// <param name="HeldBytes">Bytes held.</param>
/// <param name="BudgetBytes">The most bytes held.</param>
public sealed record MergeFactorCacheStatistics(long Hits, long Misses, long Evictions, int Entries, long HeldBytes, long BudgetBytes)
{
    /// <summary>One line: "merge factor cache: 12 hits, 4 misses, 0 evictions, 4 entries, 1.5 MiB held of 4096 MiB".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"merge factor cache: {Hits} hits, {Misses} misses, {Evictions} evictions, {Entries} entries, {HeldBytes / 1048576.0:0.0} MiB held of {BudgetBytes / 1048576.0:0} MiB");
}
