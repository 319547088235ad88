using System.Globalization;
using System.Text;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using EvoMerge.Tensors;

namespace EvoMerge.Host;

/// <summary>Writes <c>crash-report-TIMESTAMP.txt</c> in the run directory: when (UTC, from the given clock), the run's status, and the exception with its stack trace.</summary>
public static class CrashReport
{
    private const string RunDirectoryKey = "EvoMerge.RunDirectory";

    /// <summary>Records on <paramref name="error"/> the run directory it escaped from (the first one recorded stays), for <see cref="DirectoryOf"/>.</summary>
    public static void Place(Exception error, string runDirectory)
    {
        if (!error.Data.Contains(RunDirectoryKey)) error.Data[RunDirectoryKey] = runDirectory;
    }

    /// <summary>The run directory recorded on <paramref name="error"/> by <see cref="Place"/>, or null.</summary>
    public static string? DirectoryOf(Exception error) => error.Data[RunDirectoryKey] as string;

    /// <summary>Writes the report and returns its path (null when even that failed).</summary>
    public static string? Write(string runDirectory, Exception error, RunStatus? status, TimeProvider clock)
    {
        try
        {
            var now = clock.GetUtcNow();
            string path = Path.Combine(runDirectory, $"crash-report-{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.txt");
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"evomerge {RunIdentity.ProgramVersion} crashed at {now:O} (pid {Environment.ProcessId} on {Environment.MachineName})");
            if (status is not null)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"run {status.RunId}: {status.Generation} generations complete, {status.EvaluationsDone} evaluations; {GenerationNumbering.ValidCheckpoint(status.Generation)}: evomerge resume {status.RunDirectory}");
            }
            text.AppendLine();
            text.AppendLine(error.ToString());
            AtomicFile.WriteAllText(path, text.ToString());
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
