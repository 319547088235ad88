namespace EvoMerge.Search.Runs;

/// <summary>
/// Resume refused because inputs of the run (its saved config, task files and data, model headers) changed since the
/// run started. The one-line message names them and how to resume anyway. An <see cref="IOException"/>, so the CLI
/// reports it as a user error.
/// </summary>
public sealed class RunChangedException(string runDirectory, IReadOnlyList<InputChange> changes)
    : IOException(Describe(runDirectory, changes))
{
    /// <summary>What changed, in the order the inputs are recorded (the config first).</summary>
    public IReadOnlyList<InputChange> Changes { get; } = changes;

    private static string Describe(string runDirectory, IReadOnlyList<InputChange> changes)
    {
        string also = changes.Count > 1
            ? "; also changed: " + string.Join(", ", changes.Skip(1).Select(c => $"{c.Kind} {System.IO.Path.Combine(runDirectory, c.Path)}"))
            : "";
        return $"resume {runDirectory}: {changes[0].Describe(runDirectory)}{also}; pass --accept-changes to resume anyway";
    }
}
