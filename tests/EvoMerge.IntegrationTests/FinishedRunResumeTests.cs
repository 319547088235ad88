using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary><c>evomerge resume</c> on a run that already reached its budget: one line, exit 0, nothing started or written.</summary>
public class FinishedRunResumeTests
{
    [Fact]
    public void AFinishedRunResumesToOneLineAndExit0WithItsFilesUnchanged()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 8);
        string config = Path.Combine(layout.Root, "search.yml");
        File.WriteAllText(config, layout.SearchYaml(population: 4) + "budget:\n  generations: 1\nseed: 3\nrun_dir: runs/done\n");
        string run = Path.Combine(temp.Path, "runs", "done");
        var search = CliRunner.Run("search", config, "--metrics-url", "http://127.0.0.1:0", "--progress", "none");
        Assert.True(search.ExitCode == 0, search.Stderr);
        string before = RunFiles(run);

        for (int attempt = 0; attempt < 3; attempt++)
        {
            var resume = CliRunner.Run("resume", run, "--metrics-url", "http://127.0.0.1:0");
            Assert.True(resume.ExitCode == 0, $"exit {resume.ExitCode}: {resume.Stderr}");
            string line = Assert.Single(resume.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"{run}: already finished after 1 generations (4 candidates scored); nothing to resume", line);
            Assert.DoesNotContain("metrics on", resume.Stderr);
            Assert.Equal("", resume.Stdout);
            Assert.Equal(before, RunFiles(run));
        }
        Assert.Empty(Directory.GetFiles(run, "crash-report-*.txt"));
    }

    /// <summary>The run's files, less the lock and its owner note (which every opening of the run rewrites).</summary>
    private static string RunFiles(string run) => string.Join("\n", FileTreeSnapshot.Of(run).Split('\n')
        .Where(l => !l.StartsWith(Path.Combine(run, "run.lock"), StringComparison.Ordinal) && !l.StartsWith(Path.Combine(run, "run.owner"), StringComparison.Ordinal)));
}
