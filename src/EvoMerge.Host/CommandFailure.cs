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

    /// <summary>
    /// Runs <paramref name="command"/> and returns its exit code, or the failure's (reported on <paramref name="error"/>).
    /// While it runs, an exception unhandled on any other thread is reported the same way and ends the process at once
    /// with that code, and a faulted task nobody observed gets a crash report and a line (the command goes on).
    /// </summary>
    public static int Run(Func<int> command, Func<Exception, bool> isUserError, TextWriter error, TimeProvider? clock = null, string? workingDirectory = null)
    {
        var time = clock ?? TimeProvider.System;
        string directory = workingDirectory ?? Environment.CurrentDirectory;
        UnhandledExceptionEventHandler unhandled = (_, args) =>
        {
            if (args.ExceptionObject is not Exception e) return;
            ImmediateProcessExit.Exit(Report(e, isUserError(e), error, time, directory));
        };
        EventHandler<UnobservedTaskExceptionEventArgs> unobserved = (_, args) =>
        {
            ReportUnobserved(args.Exception, error, time, directory);
            args.SetObserved();
        };
        AppDomain.CurrentDomain.UnhandledException += unhandled;
        TaskScheduler.UnobservedTaskException += unobserved;
        try
        {
            return command();
        }
        catch (Exception e)
        {
            return Report(e, isUserError(e), error, time, directory);
        }
        finally
        {
            AppDomain.CurrentDomain.UnhandledException -= unhandled;
            TaskScheduler.UnobservedTaskException -= unobserved;
        }
    }

    /// <summary>
    /// Reports a faulted task whose exception nobody observed (a background task's bug, found when the task is
    /// collected): a crash report and one line on <paramref name="error"/>; returns the report's path.
    /// </summary>
    private static string? ReportUnobserved(AggregateException fault, TextWriter error, TimeProvider clock, string workingDirectory)
    {
        var e = fault.InnerExceptions.Count == 1 ? fault.InnerExceptions[0] : fault;
        string? report = WriteReport(e, clock, workingDirectory);
        error.WriteLine($"evomerge: internal error in a background task: {e.GetType().Name}: {e.Message}; crash report {report ?? "(could not be written)"}");
        return report;
    }

    private static int Report(Exception e, bool userError, TextWriter error, TimeProvider clock, string workingDirectory)
    {
        if (userError)
        {
            error.WriteLine($"evomerge: error: {e.Message}");
            return UserErrorExitCode;
        }
        string? report = WriteReport(e, clock, workingDirectory);
        error.WriteLine($"evomerge: internal error: {e.GetType().Name}: {e.Message}; crash report {report ?? "(could not be written)"}");
        return SearchHost.CrashedExitCode;
    }

    private static string? WriteReport(Exception e, TimeProvider clock, string workingDirectory) =>
        (CrashReport.DirectoryOf(e) is { } run ? CrashReport.Write(run, e, status: null, clock) : null)
        ?? CrashReport.Write(workingDirectory, e, status: null, clock)
        ?? CrashReport.Write(Path.GetTempPath(), e, status: null, clock);
}
