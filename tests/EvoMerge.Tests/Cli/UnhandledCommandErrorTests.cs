using System.CommandLine;
using System.Runtime.CompilerServices;
using EvoMerge.Cli;
using EvoMerge.Host;
using Xunit;

namespace EvoMerge.Tests.Cli;

/// <summary>
/// The CLI's top level: an exception from any command that is not a user error writes a crash report and exits 70;
/// a user error stays one line and exit 1, with no report.
/// </summary>
[Collection(ForcedCollectionCollection.Name)]
public sealed class UnhandledCommandErrorTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static RootCommand WithCommandThrowing(Exception error)
    {
        var root = EvoMergeCommandLine.Create();
        var explode = new Command("explode", "throws");
        explode.SetAction(int (_) => throw error);
        root.Subcommands.Add(explode);
        return root;
    }

    [Fact]
    public void AnyCommandsUnhandledErrorWritesACrashReportInItsRunDirectoryAndExits70()
    {
        using var temp = new TempDirectory();
        var error = new InvalidOperationException("a bug");
        CrashReport.Place(error, temp.Path);
        Assert.Equal(70, EvoMergeCommandLine.Run(WithCommandThrowing(error), ["explode"]));
        string report = Assert.Single(Directory.GetFiles(temp.Path, "crash-report-*.txt"));
        Assert.Contains("System.InvalidOperationException: a bug", File.ReadAllText(report));
    }

    [Fact]
    public void AUserErrorIsExit1WithoutACrashReport()
    {
        using var temp = new TempDirectory();
        var error = new FileNotFoundException("missing.yml: not found");
        CrashReport.Place(error, temp.Path);
        Assert.Equal(1, EvoMergeCommandLine.Run(WithCommandThrowing(error), ["explode"]));
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void WithoutARunDirectoryTheReportGoesToTheWorkingDirectoryAndOneLineNamesIt()
    {
        using var temp = new TempDirectory();
        var stderr = new StringWriter();
        int code = CommandFailure.Run(() => throw new KeyNotFoundException("no such key"), _ => false, stderr, new ManualClock(At), temp.Path);
        Assert.Equal(70, code);
        string report = temp.Combine("crash-report-20260304-050607.txt");
        Assert.True(File.Exists(report));
        Assert.Equal($"evomerge: internal error: KeyNotFoundException: no such key; crash report {report}", stderr.ToString().TrimEnd());
    }

    [Fact]
    public void AUserErrorIsOneLine()
    {
        using var temp = new TempDirectory();
        var stderr = new StringWriter();
        int code = CommandFailure.Run(() => throw new IOException("runs/r: in use"), _ => true, stderr, new ManualClock(At), temp.Path);
        Assert.Equal(1, code);
        Assert.Equal("evomerge: error: runs/r: in use", stderr.ToString().TrimEnd());
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void AFaultedTaskNobodyObservedWritesACrashReportAndTheCommandGoesOn()
    {
        // Other tests of this process leave unobserved faulted tasks too, and the handler reports whichever the
        // finalizer meets while it is registered: this test looks for its own task's unique message.
        using var temp = new TempDirectory();
        var buffer = new StringWriter();
        var stderr = TextWriter.Synchronized(buffer);
        string Text()
        {
            lock (stderr) return buffer.ToString();
        }

        string bug = $"a background bug {Guid.NewGuid():N}";
        string line = $"evomerge: internal error in a background task: InvalidOperationException: {bug}; crash report {temp.Combine("crash-report-20260304-050607")}";
        int code = CommandFailure.Run(() =>
        {
            FaultATaskNobodyObserves(bug);
            // Bounded by time, not by a count: on a loaded machine the finalizer thread can need many seconds.
            var waited = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; waited.Elapsed < TimeSpan.FromSeconds(60) && !Text().Contains(bug, StringComparison.Ordinal); i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Thread.Sleep(i < 5 ? 0 : 50);
            }
            return 4;
        }, _ => false, stderr, new ManualClock(At), temp.Path);
        Assert.Equal(4, code);
        Assert.Contains(Text().Split('\n'), l => l.StartsWith(line, StringComparison.Ordinal));
        Assert.Contains(Directory.GetFiles(temp.Path), f => File.ReadAllText(f).Contains($"System.InvalidOperationException: {bug}", StringComparison.Ordinal));
    }

    /// <summary>Starts a task that fails and waits for it without observing its exception; the task is garbage once this returns.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FaultATaskNobodyObserves(string message)
    {
        var task = Task.Run(() => throw new InvalidOperationException(message));
        Task.WhenAny(task).Wait();
    }

    [Fact]
    public void ACommandThatReturnsKeepsItsExitCode()
    {
        Assert.Equal(3, CommandFailure.Run(() => 3, _ => true, new StringWriter()));
    }
}
