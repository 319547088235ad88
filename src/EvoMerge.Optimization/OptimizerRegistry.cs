using EvoMerge.Optimization.CmaEs;
using EvoMerge.Optimization.Nsga2;
using EvoMerge.Optimization.Random;

namespace EvoMerge.Optimization;

/// <summary>All optimizers by name (<c>nsga2</c>, <c>cmaes</c>, <c>random</c>): creation from settings and restoration from state.</summary>
public static class OptimizerRegistry
{
    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal)
    {
        [Nsga2Optimizer.OptimizerName] = new(
            () => new Nsga2Settings(),
            (space, settings, seed) => new Nsga2Optimizer(space, (Nsga2Settings)settings, seed),
            state => new Nsga2Optimizer((Nsga2State)state)),
        [CmaEsOptimizer.OptimizerName] = new(
            () => new CmaEsSettings(),
            (space, settings, seed) => new CmaEsOptimizer(space, (CmaEsSettings)settings, seed),
            state => new CmaEsOptimizer((CmaEsState)state)),
        [RandomSearchOptimizer.OptimizerName] = new(
            () => new RandomSearchSettings(),
            (space, settings, seed) => new RandomSearchOptimizer(space, (RandomSearchSettings)settings, seed),
            state => new RandomSearchOptimizer((RandomSearchState)state)),
    };

    /// <summary>Registered names, sorted.</summary>
    public static IReadOnlyList<string> Names => Entries.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>True when an optimizer of that name exists.</summary>
    public static bool Contains(string name) => Entries.ContainsKey(name);

    /// <summary>The default settings of the named optimizer.</summary>
    public static OptimizerSettings DefaultSettings(string name) => Find(name).Defaults();

    /// <summary>
    /// A fresh optimizer of that name; <paramref name="settings"/> null means the defaults, otherwise they must be the
    /// named optimizer's settings type.
    /// </summary>
    public static IOptimizer Create(string name, GeneSpace space, ulong seed, OptimizerSettings? settings = null)
    {
        var entry = Find(name);
        settings ??= entry.Defaults();
        if (settings.OptimizerName != name)
        {
            throw new ArgumentException($"settings for '{settings.OptimizerName}' given to optimizer '{name}'", nameof(settings));
        }
        return entry.Create(space, settings, seed);
    }

    /// <summary>A fresh optimizer of the kind <paramref name="settings"/> belong to.</summary>
    public static IOptimizer Create(OptimizerSettings settings, GeneSpace space, ulong seed) =>
        Create(settings.OptimizerName, space, seed, settings);

    /// <summary>The optimizer a <see cref="IOptimizer.SaveState"/> snapshot describes, ready to continue.</summary>
    public static IOptimizer Restore(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Find(state.OptimizerName).Restore(state);
    }

    private static Entry Find(string name) =>
        Entries.TryGetValue(name, out var entry)
            ? entry
            : throw new ArgumentException($"unknown optimizer '{name}' (known: {string.Join(", ", Names)})", nameof(name));

    private sealed record Entry(
        Func<OptimizerSettings> Defaults,
        Func<GeneSpace, OptimizerSettings, ulong, IOptimizer> Create,
        Func<OptimizerState, IOptimizer> Restore);
}
