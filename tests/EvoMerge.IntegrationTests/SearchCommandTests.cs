using System.Diagnostics;
using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>search / resume / export through the built CLI: a run killed with SIGKILL mid-generation and resumed ends with the same archive as an uninterrupted one.</summary>
public class SearchCommandTests
{
    private static string WriteConfig(TinySpecialists.Layout layout, string name)
    {
        string path = Path.Combine(layout.Root, name + ".yml");
        File.WriteAllText(path, $"""
            base_model: models/base
            models: [models/a, models/b]
            {layout.ObjectivesYaml()}
            genome:
              methods: [ties, task_arithmetic]
              layer_groups: 2
              ranges:
                weight: [0, 2]
              layer_ordering:
                repeats: 2
            optimizer:
              name: nsga2
              settings:
                population_size: 8
            budget:
              generations: 5
            evaluation:
              cheap_first:
                fraction: 0.3
            seed: 3
            run_dir: runs/default
            """);
        return path;
    }

    [Fact]
    public void KilledRunResumesToTheSameArchiveAndExportRescoresToIt()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path);
        string config = WriteConfig(layout, "search");
        string whole = Path.Combine(temp.Path, "runs", "whole"), killed = Path.Combine(temp.Path, "runs", "killed");

        var uninterrupted = CliRunner.Run(TimeSpan.FromMinutes(3), "search", config, "--run-dir", whole);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Stderr);
        Assert.Contains("hypervolume", uninterrupted.Stdout);
        AssertPlots(whole);

        // Start again in another run directory and SIGKILL it once generation 2 is half evaluated.
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { CliRunner.CliPath, "search", config, "--run-dir", killed }) info.ArgumentList.Add(a);
        info.Environment["EVOMERGE_SCORE_CACHE"] = "false";
        using (var process = Process.Start(info)!)
        {
            process.OutputDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            string? line;
            while ((line = process.StandardError.ReadLine()) is not null && DateTime.UtcNow < deadline)
            {
                if (line.Contains("generation 2 candidate 3:", StringComparison.Ordinal)) break;
            }
            Assert.NotNull(line);
            process.Kill(); // SIGKILL on Linux: no cleanup runs
            process.WaitForExit();
        }
        Assert.True(File.Exists(Path.Combine(killed, "run.lock")), "the dead process leaves its lock file behind");

        // While a resume holds the run directory, a second process is refused.
        var resume = CliRunner.Run(TimeSpan.FromMinutes(3), "resume", killed);
        Assert.True(resume.ExitCode == 0, resume.Stderr);
        Assert.Contains("resuming", resume.Stderr);
        Assert.Equal(File.ReadAllText(Path.Combine(whole, "archive.json")), File.ReadAllText(Path.Combine(killed, "archive.json")));
        AssertPlots(killed);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "hypervolume.png")), File.ReadAllBytes(Path.Combine(killed, "hypervolume.png")));

        string output = Path.Combine(temp.Path, "exported");
        var export = CliRunner.Run(TimeSpan.FromMinutes(2), "export", killed, "--member", "0", "--out", output, "--verify");
        Assert.True(export.ExitCode == 0, export.Stdout + export.Stderr);
        Assert.Contains("(same)", export.Stdout);
        Assert.DoesNotContain("DIFFERENT", export.Stdout);
        Assert.True(File.Exists(Path.Combine(output, "README.md")));
        Assert.True(File.Exists(Path.Combine(output, "layers.yml")));
        Assert.True(File.Exists(Path.Combine(output, "config.json")));
    }

    /// <summary>The run's plots are PNGs and its reference points were scored (once: the resumed run read them back).</summary>
    private static void AssertPlots(string run)
    {
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        foreach (string plot in new[] { "pareto-front.png", "hypervolume.png" })
        {
            byte[] png = File.ReadAllBytes(Path.Combine(run, plot));
            Assert.Equal(signature, png[..8]);
        }
        Assert.Contains("\"kind\": \"source\"", File.ReadAllText(Path.Combine(run, "references.json")));
    }

    [Fact]
    public void ASecondProcessOnARunDirectoryIsRefused()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 400);
        string config = WriteConfig(layout, "busy");
        string run = Path.Combine(temp.Path, "runs", "busy");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { CliRunner.CliPath, "search", config, "--run-dir", run }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        try
        {
            process.BeginOutputReadLine();
            string? line;
            while ((line = process.StandardError.ReadLine()) is not null && !line.Contains("evaluating", StringComparison.Ordinal))
            {
            }
            Assert.NotNull(line);
            var second = CliRunner.Run("resume", run);
            Assert.Equal(1, second.ExitCode);
            Assert.Contains("in use by another evomerge process", second.Stderr);
            Assert.Single(second.Stderr.Trim().Split('\n'));
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    [Fact]
    public void BadConfigIsOneLineNamingFileLineAndPath()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "search.yml");
        File.WriteAllText(path, "base_model: b\nmodels: [a]\nobjectives:\n  - task: t.yml\n    metric: acc\ngenome:\n  methods: [ties]\n  layer_groups: 0\noptimizer: {name: nsga2}\nbudget: {generations: 1}\nseed: 1\nrun_dir: r\n");
        var result = CliRunner.Run("search", path, "--dry-run");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"evomerge: error: {path}:8: genome.layer_groups: must be ≥ 1", result.Stderr.Trim());
    }
}
