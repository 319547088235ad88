using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge sweep</c> as a child process: a sweep killed with SIGKILL in the middle resumes with
/// <c>sweep --resume RUN_DIR</c> to the same table as an uninterrupted sweep, evaluating only the points the
/// checkpoint lacks; a second start in the same run directory is refused.
/// </summary>
public class SweepResumeTests
{
    private const int Kill = 9;

    [Fact]
    public void ASweepKilledMidwayResumesToTheSameTable()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path);
        string config = Path.Combine(layout.Root, "sweep.yml");
        File.WriteAllText(config, $"""
            base_model: models/base
            models: [models/a, models/b]
            {layout.ObjectivesYaml()}
            sweep:
              grid: {"{"}method: ties, parameters: {"{"}density: [0.2, 0.4, 0.6, 0.8, 1.0]{"}"}{"}"}
              path: {"{"}method: task_arithmetic, parameters: {"{"}weight: 1.0{"}"}{"}"}
              greedy_soup: true
            run_dir: runs/default
            """);
        const int points = 5 + 11 + 3;
        string whole = Path.Combine(temp.Path, "runs", "whole"), killed = Path.Combine(temp.Path, "runs", "killed");
        File.WriteAllText(config + ".whole.yml", File.ReadAllText(config).Replace("runs/default", whole, StringComparison.Ordinal));
        File.WriteAllText(config + ".killed.yml", File.ReadAllText(config).Replace("runs/default", killed, StringComparison.Ordinal));

        var uninterrupted = CliRunner.Run(TimeSpan.FromMinutes(5), "sweep", config + ".whole.yml");
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Stderr);
        Assert.Contains($"sweep point {points} of {points}", uninterrupted.Stderr);
        Assert.Contains("| greedy soup |", uninterrupted.Stdout);
        foreach (string file in new[] { "sweep-table.md", "sweep-table.json", "sweep-grid.png", "sweep-path.png", "sweep.json", "config.yml", "run.json" })
            Assert.True(File.Exists(Path.Combine(whole, file)), file + " not written");

        using (var sweep = ChildProcess.Start(new Dictionary<string, string>(), "sweep", config + ".killed.yml"))
        {
            Assert.True(sweep.WaitForLine("sweep point 3 of", TimeSpan.FromMinutes(3)), "no third point; stderr:\n" + sweep.Stderr);
            PosixSignal.Send(sweep.Id, Kill);
            Assert.True(sweep.WaitForExit(TimeSpan.FromMinutes(1)), "the sweep did not die");
            Assert.NotEqual(0, sweep.ExitCode);
        }
        Assert.False(File.Exists(Path.Combine(killed, "sweep-table.md")), "the kill came after the sweep finished");
        int before = File.ReadAllText(Path.Combine(killed, "sweep.json")).Split("\"hash\"").Length - 1;
        Assert.InRange(before, 3, points - 1);

        var again = CliRunner.Run("sweep", config + ".killed.yml");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("sweep --resume", again.Stderr);

        var resume = CliRunner.Run(TimeSpan.FromMinutes(5), "sweep", "--resume", killed);
        Assert.True(resume.ExitCode == 0, resume.Stderr);
        Assert.Contains($"{before} points evaluated so far", resume.Stderr);
        Assert.Equal(points - before, resume.Stderr.Split('\n').Count(l => l.Contains("sweep point ", StringComparison.Ordinal)));
        foreach (string file in new[] { "sweep-table.md", "sweep-table.json" })
            Assert.Equal(File.ReadAllText(Path.Combine(whole, file)), File.ReadAllText(Path.Combine(killed, file)));
        Assert.Equal(uninterrupted.Stdout, resume.Stdout);
    }
}
