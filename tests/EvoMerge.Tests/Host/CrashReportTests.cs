using EvoMerge.Host;
using Xunit;

namespace EvoMerge.Tests.Host;

/// <summary>The crash report is named and stamped with the injected clock's UTC time and says how to resume.</summary>
public sealed class CrashReportTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    [Fact]
    public void TheReportIsNamedAndStampedWithTheClocksTime()
    {
        using var temp = new TempDirectory();
        string? path = CrashReport.Write(temp.Path, new InvalidOperationException("boom"), status: null, new ManualClock(At));
        Assert.Equal(temp.Combine("crash-report-20260304-050607.txt"), path);
        string text = File.ReadAllText(path!);
        Assert.Contains(" crashed at 2026-03-04T05:06:07.0000000+00:00 (pid ", text);
        Assert.Contains("System.InvalidOperationException: boom", text);
        Assert.DoesNotContain("evomerge resume", text);
    }

    [Fact]
    public void WithAStatusTheReportSaysWhichCheckpointIsValid()
    {
        using var temp = new TempDirectory();
        var status = new RunStatus
        {
            RunId = "r1", RunDirectory = "/runs/r1", State = "running", Alive = true, ConfigHash = "0123456789abcdef", Version = "0.1.0",
            Generation = 3, EvaluationsDone = 12, ArchiveSize = 0, Hypervolume = 0, Best = new Dictionary<string, double?>(), ElapsedSeconds = 9,
        };
        string text = File.ReadAllText(CrashReport.Write(temp.Path, new IOException("disk"), status, new ManualClock(At))!);
        Assert.Contains("run r1: 3 generations complete, 12 evaluations; the checkpoint of generation 2 is valid: evomerge resume /runs/r1", text);
    }

    [Fact]
    public void AnUnwritableRunDirectoryGivesNoReport()
    {
        using var temp = new TempDirectory();
        Assert.Null(CrashReport.Write(temp.Combine("missing", "run"), new InvalidOperationException("boom"), status: null, new ManualClock(At)));
    }
}
