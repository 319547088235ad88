namespace EvoMerge.Optimization.Pareto;

/// <summary>
/// The non-dominated set, under constrained dominance (see <see cref="Dominance.ConstrainedDominates(IReadOnlyList{double}, double, IReadOnlyList{double}, double)"/>),
/// of everything added: once any feasible candidate has been added the archive holds only feasible ones; before that
/// it holds the least-violating ones. A key already in the archive is ignored. <see cref="Entries"/> is ordered by
/// objectives (lexicographically), then violation, then key, so it does not depend on insertion order.
/// Objectives are minimised; NaN counts as +∞.
/// </summary>
public sealed class ParetoArchive<T>
{
    private readonly List<ParetoArchiveEntry<T>> _entries = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private ParetoArchiveEntry<T>[]? _ordered;

    /// <summary>An empty archive.</summary>
    public ParetoArchive()
    {
    }

    /// <summary>An archive built by adding <paramref name="entries"/> (e.g. from a checkpoint).</summary>
    public ParetoArchive(IEnumerable<ParetoArchiveEntry<T>> entries)
    {
        foreach (var entry in entries)
        {
            Add(entry.Key, entry.Objectives, entry.ConstraintViolation, entry.Payload);
        }
    }

    /// <summary>The members in canonical order.</summary>
    public IReadOnlyList<ParetoArchiveEntry<T>> Entries => _ordered ??= [.. _entries.Order(EntryOrder.Instance)];

    /// <summary>Number of members.</summary>
    public int Count => _entries.Count;

    /// <summary>True when a member with that key exists.</summary>
    public bool Contains(string key) => _keys.Contains(key);

    /// <summary>
    /// Adds a candidate unless its key is present or a member dominates it; removes the members it dominates.
    /// True when it entered the archive.
    /// </summary>
    public bool Add(string key, IReadOnlyList<double> objectives, double constraintViolation, T payload)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(objectives);
        if (_entries.Count > 0 && _entries[0].Objectives.Length != objectives.Count)
        {
            throw new ArgumentException($"archive members have {_entries[0].Objectives.Length} objectives, not {objectives.Count}", nameof(objectives));
        }
        if (_keys.Contains(key))
        {
            return false;
        }
        double[] values = FitnessValues.Objectives(objectives);
        double violation = FitnessValues.Violation(constraintViolation);
        if (_entries.Any(e => Dominance.ConstrainedDominates(e.Objectives, e.ConstraintViolation, values, violation)))
        {
            return false;
        }
        foreach (var beaten in _entries.Where(e => Dominance.ConstrainedDominates(values, violation, e.Objectives, e.ConstraintViolation)).ToArray())
        {
            _entries.Remove(beaten);
            _keys.Remove(beaten.Key);
        }
        _entries.Add(new ParetoArchiveEntry<T>(key, values, violation, payload));
        _keys.Add(key);
        _ordered = null;
        return true;
    }

    /// <summary>Adds an evaluated genome under its <see cref="Genome.Key"/>.</summary>
    public bool Add(EvaluatedGenome evaluated, T payload) =>
        Add(evaluated.Genome.Key, evaluated.Objectives, evaluated.ConstraintViolation, payload);

    private sealed class EntryOrder : IComparer<ParetoArchiveEntry<T>>
    {
        public static readonly EntryOrder Instance = new();

        public int Compare(ParetoArchiveEntry<T>? a, ParetoArchiveEntry<T>? b)
        {
            for (int i = 0; i < a!.Objectives.Length; i++)
            {
                int byObjective = a.Objectives[i].CompareTo(b!.Objectives[i]);
                if (byObjective != 0)
                {
                    return byObjective;
                }
            }
            int byViolation = a.ConstraintViolation.CompareTo(b!.ConstraintViolation);
            return byViolation != 0 ? byViolation : string.CompareOrdinal(a.Key, b.Key);
        }
    }
}
