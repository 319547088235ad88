namespace EvoMerge.Search.Configuration;

/// <summary>
/// What a mergekit-evolve config leaves to the command line: where each lm-eval task name's EvoMerge task YAML is
/// (<c>--task-map NAME=FILE.yml</c>, or <c>NAME.yml</c> in <c>--tasks-dir</c>) and the evaluation budget
/// (<c>--max-fevals</c>, mergekit-evolve's flag; default 100 as there).
/// </summary>
/// <param name="TaskMap">Task name → full path of its task YAML.</param>
/// <param name="TasksDirectory">Full path of a directory where task NAME is <c>NAME.yml</c>, or null.</param>
/// <param name="MaxFevals">Candidates to score, or null for mergekit-evolve's default.</param>
public sealed record EvolveImportOptions(IReadOnlyDictionary<string, string> TaskMap, string? TasksDirectory, int? MaxFevals)
{
    /// <summary>mergekit-evolve's default <c>--max-fevals</c>.</summary>
    public const int DefaultMaxFevals = 100;

    /// <summary>No task map, no tasks directory, the default budget.</summary>
    public static EvolveImportOptions None { get; } = new(new Dictionary<string, string>(), null, null);

    /// <summary>True when nothing was given (these options only apply to mergekit-evolve configs).</summary>
    public bool IsNone => TaskMap.Count == 0 && TasksDirectory is null && MaxFevals is null;

    /// <summary>
    /// The options from command-line values: each map entry <c>NAME=FILE.yml</c> (paths against the working directory);
    /// a malformed or repeated entry, or a budget below 1, is an <see cref="ArgumentException"/> naming the option.
    /// </summary>
    public static EvolveImportOptions FromArguments(IEnumerable<string> taskMap, string? tasksDirectory, int? maxFevals)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string entry in taskMap)
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == entry.Length - 1) throw new ArgumentException($"--task-map {entry}: expected NAME=FILE.yml");
            if (!map.TryAdd(entry[..eq], Path.GetFullPath(entry[(eq + 1)..]))) throw new ArgumentException($"--task-map {entry}: task '{entry[..eq]}' is mapped twice");
        }
        if (maxFevals is < 1) throw new ArgumentException($"--max-fevals {maxFevals}: must be ≥ 1");
        return new EvolveImportOptions(map, tasksDirectory is null ? null : Path.GetFullPath(tasksDirectory), maxFevals);
    }
}
