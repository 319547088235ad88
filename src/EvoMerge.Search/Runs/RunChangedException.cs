namespace EvoMerge.Search.Runs;

/// <summary>
/// Resume (of a search or a sweep) or export refused because inputs of the run (its saved config, task files and data, model headers) changed
/// since the run started. The one-line message names them and what to do. An <see cref="IOException"/>, so the CLI
/// reports it as a user error.
/// </summary>
public sealed class RunChangedException(string runDirectory, IReadOnlyList<InputChange> changes, string command = "resume")
    : IOException(Describe(runDirectory, changes, command))
{
    /// <summary>The command name a refused <c>evomerge sweep --resume</c> reports.</summary>
    public const string SweepResumeCommand = "sweep --resume";

    /// <summary>What changed, in the order the inputs are recorded (the config first).</summary>
    public IReadOnlyList<InputChange> Changes { get; } = changes;

    private static string Describe(string runDirectory, IReadOnlyList<InputChange> changes, string command)
    {
        string also = changes.Count > 1
            ? "; also changed: " + string.Join(", ", changes.Skip(1).Select(c => $"{c.Kind} {System.IO.Path.Combine(runDirectory, c.Path)}"))
            : "";
        string remedy = command switch
        {
            "resume" => "pass --accept-changes to resume anyway",
            SweepResumeCommand => "the points so far were scored on the recorded inputs; restore them, or start the sweep again in another run_dir",
            _ => "the archive was scored on the recorded inputs; restore them, or accept the change with `evomerge resume RUN --accept-changes` first",
        };
        return $"{command} {runDirectory}: {changes[0].Describe(runDirectory)}{also}; {remedy}";
    }
}
