namespace EvoMerge.Search.Runs;

/// <summary>
/// Resume's check of a run's inputs (see <see cref="RunInputs"/>) against the fingerprints its <c>run.json</c>
/// recorded: a change refuses the resume (<see cref="RunChangedException"/>) unless changes are accepted, and then
/// <see cref="Record"/> appends what changed, and when, to <c>run.json</c> and makes the new fingerprints the
/// reference. A run started before fingerprints were recorded cannot be checked: it resumes with a warning and its
/// fingerprints are recorded from then on.
/// </summary>
public sealed class RunInputCheck
{
    private readonly RunFiles _files;
    private readonly RunInfo _info;

    private RunInputCheck(RunFiles files, RunInfo info, IReadOnlyList<InputChange> changes, string? warning)
    {
        _files = files;
        _info = info;
        Changes = changes;
        Warning = warning;
    }

    /// <summary>The inputs changed since the run started (or since changes were last accepted); empty when none.</summary>
    public IReadOnlyList<InputChange> Changes { get; }

    /// <summary>One line for the log: changes accepted, or a run that records no fingerprints; null otherwise.</summary>
    public string? Warning { get; }

    /// <summary>
    /// Compares the inputs of the run in <paramref name="files"/> with its recorded fingerprints. Throws
    /// <see cref="RunChangedException"/> (for <paramref name="command"/>) when one changed, unless <paramref name="acceptChanges"/>. Writes nothing.
    /// </summary>
    public static RunInputCheck Verify(RunFiles files, bool acceptChanges, string command = "resume")
    {
        var info = RunStore.ReadInfo(files);
        if (info.Inputs is null)
        {
            return new RunInputCheck(files, info, [],
                $"resume {files.Directory}: its run.json records no fingerprints of the run's inputs (the run was started by an older evomerge), so changes to its config, tasks or models cannot be detected; they are recorded now and checked on later resumes");
        }
        var changes = RunInputs.Changes(files.Directory, info.Inputs);
        if (changes.Count == 0) return new RunInputCheck(files, info, changes, null);
        if (!acceptChanges) throw new RunChangedException(files.Directory, changes, command);
        return new RunInputCheck(files, info, changes,
            $"resume {files.Directory}: accepting changes ({string.Join("; ", changes.Select(c => c.Describe(files.Directory)))}); recorded in {files.Run}");
    }

    /// <summary>
    /// Export's check: throws <see cref="RunChangedException"/> naming the first changed input when the run's inputs
    /// differ from its recorded fingerprints (no check for a run that records none). Writes nothing.
    /// </summary>
    public static void VerifyForExport(RunFiles files)
    {
        var check = Verify(files, acceptChanges: true);
        if (check.Changes.Count > 0) throw new RunChangedException(files.Directory, check.Changes, "export");
    }

    /// <summary>
    /// When changes were accepted or none were recorded: writes <c>run.json</c> again (atomically) with the fingerprints
    /// of <paramref name="setup"/>'s inputs as the reference and, for accepted changes, an entry naming them at
    /// <paramref name="clock"/>'s time. Call once the run has opened and its journal has been read back.
    /// </summary>
    public void Record(SearchSetup setup, TimeProvider clock)
    {
        if (_info.Inputs is not null && Changes.Count == 0) return;
        var accepted = _info.AcceptedChanges ?? [];
        if (Changes.Count > 0) accepted = [.. accepted, new AcceptedInputChanges(clock.GetUtcNow(), Changes)];
        var inputs = RunInputs.Fingerprint(setup.Config).ToList();
        inputs[0] = inputs[0] with { Sha256 = RunInputs.Compute(inputs[0].Kind, _files.Config) ?? inputs[0].Sha256 }; // the saved file's bytes as they are
        RunStore.WriteInfo(_files, _info with { Inputs = inputs, AcceptedChanges = accepted.Count == 0 ? null : accepted });
    }
}
