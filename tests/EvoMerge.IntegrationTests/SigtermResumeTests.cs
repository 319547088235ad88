using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// A real SIGTERM: a search stopped after its first checkpoint, in the middle of the next generation, exits 0 at a
/// safe point (README, "Stopping"), and <c>resume</c> finishes it with the same archive and population as an
/// uninterrupted run of the same seed.
/// </summary>
public class SigtermResumeTests
{
    [Fact]
    public void ARunStoppedWithSigtermResumesToTheSameArchive()
    {
        using var temp = new TempDirectory();
        string config = SpecialistsRun.Write(temp, "search.yml", """
            genome:
              methods: [ties, task_arithmetic]
              layer_groups: 2
              ranges:
                weight: [0, 2]
            optimizer:
              name: nsga2
              settings:
                population_size: 8
            budget:
              generations: 4
            evaluation:
              cheap_first:
                fraction: 0.3
            seed: 7
            run_dir: runs/default

            """).Config;
        string whole = Path.Combine(temp.Path, "runs", "whole"), stopped = Path.Combine(temp.Path, "runs", "stopped");

        var uninterrupted = CliRunner.Run(TimeSpan.FromMinutes(3), "search", config, "--run-dir", whole);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Stderr);

        // Generation 0's checkpoint is written before its "done" line; stop in the middle of generation 1.
        var (code, stopStderr) = SpecialistsRun.Interrupt(PosixSignal.Terminate, ["generation 0 done", "generation 1 candidate 2:"],
            _ => Assert.True(File.Exists(Path.Combine(stopped, "checkpoint.json")), "no checkpoint before the stop"),
            "search", config, "--run-dir", stopped, "--progress", "log");
        Assert.True(code == 0, $"exit code {code} after SIGTERM; stderr:\n{stopStderr}");
        Assert.Contains("stopped at a safe point", stopStderr);
        Assert.DoesNotContain("generation 3 done", stopStderr); // the stop came before the run could finish
        Assert.NotEqual(File.ReadAllText(Path.Combine(whole, "archive.json")), File.ReadAllText(Path.Combine(stopped, "archive.json")));

        var resume = CliRunner.Run(TimeSpan.FromMinutes(3), "resume", stopped);
        Assert.True(resume.ExitCode == 0, resume.Stderr);
        Assert.Contains("resuming", resume.Stderr);
        foreach (string file in new[] { "archive.json", "population.json" })
            Assert.Equal(File.ReadAllText(Path.Combine(whole, file)), File.ReadAllText(Path.Combine(stopped, file)));
    }
}
