namespace EvoMerge.Host;

/// <summary>
/// The last word on an exception that ends a CLI command. A user error (bad input, as the caller classifies it) is one
/// line <c>evomerge: error: MESSAGE</c> and exit 1. Anything else is a bug: a crash report (see <see cref="CrashReport"/>)
/// goes to the run directory the exception escaped from (<see cref="CrashReport.Place"/>), else the working
/// directory, else the temp directory; one line names it, and the exit code is <see cref="SearchHost.CrashedExitCode"/>.
/// </summary>
public static class CommandFailure
{
    /// <summary>Exit code of a user error.</summary>
    public const int UserErrorExitCode = 1;

    /// <summary>Runs <paramref name="command"/> and returns its exit code, or the failure's (reported on <paramref name="error"/>).</summary>
    public static int Run(Func<int> command, Func<Exception, bool> isUserError, TextWriter error, TimeProvider? clock = null, string? workingDirectory = null)
    {
        try
        {
            return command();
        }
        catch (Exception e)
        {
            return Report(e, isUserError(e), error, clock ?? TimeProvider.System, workingDirectory ?? Environment.CurrentDirectory);
        }
    }

    private static int Report(Exception e, bool userError, TextWriter error, TimeProvider clock, string workingDirectory)
    {
        if (userError)
        {
            error.WriteLine($"evomerge: error: {e.Message}");
            return UserErrorExitCode;
        }
        string? report = (CrashReport.DirectoryOf(e) is { } run ? CrashReport.Write(run, e, status: null, clock) : null)
            ?? CrashReport.Write(workingDirectory, e, status: null, clock)
            ?? CrashReport.Write(Path.GetTempPath(), e, status: null, clock);
        error.WriteLine($"evomerge: internal error: {e.GetType().Name}: {e.Message}; crash report {report ?? "(could not be written)"}");
        return SearchHost.CrashedExitCode;
    }
}
