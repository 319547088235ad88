using System.Diagnostics;
using System.Security.Cryptography;
using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// resume through the built CLI on a run whose task was edited after it started: refused with exit 1 and one line
/// naming the task file; with --accept-changes it resumes (exit 0) and run.json records the change. A corrupt
/// evaluations journal is refused with one line naming it, its bytes left as they were.
/// </summary>
public class ResumeChangedRunTests
{
    /// <summary>Metrics on a free port, so runs in parallel never race for the default one.</summary>
    private const string AnyPort = "http://127.0.0.1:0";

    private static string Short(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))[..12] + "…";

    /// <summary>
    /// A run over task a with <c>limit: 24</c> (of three generations), killed once generation 1 is under way (or, with
    /// <paramref name="finish"/>, run to the end); returns the run directory and the task file.
    /// </summary>
    private static (string Run, string Task) StartRun(string root, bool finish)
    {
        var layout = TinySpecialists.Write(root);
        string task = Path.Combine(root, "tasks", "limited-a.yml");
        File.WriteAllText(task, File.ReadAllText(layout.TaskA) + "limit: 24\n");
        string config = Path.Combine(root, "search.yml");
        File.WriteAllText(config, """
            base_model: models/base
            models: [models/a, models/b]
            objectives:
              - name: a
                task: tasks/limited-a.yml
                metric: acc
              - name: b
                task: tasks/b.yml
                metric: acc
            genome:
              methods: [ties, task_arithmetic]
              layer_groups: 2
              ranges:
                weight: [0, 2]
            optimizer:
              name: nsga2
              settings:
                population_size: 4
            budget:
              generations: 3
            seed: 3
            run_dir: runs/limited

            """);
        string run = Path.Combine(root, "runs", "limited");
        if (finish)
        {
            var search = CliRunner.Run(TimeSpan.FromMinutes(3), "search", config, "--metrics-url", AnyPort);
            Assert.True(search.ExitCode == 0, search.Stderr);
            return (run, task);
        }
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { CliRunner.CliPath, "search", config, "--metrics-url", AnyPort }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        var seen = new List<string>();
        string? line;
        while ((line = process.StandardError.ReadLine()) is not null && !line.Contains("generation 1 candidate 0:", StringComparison.Ordinal)) seen.Add(line);
        Assert.True(line is not null, string.Join('\n', seen));
        process.Kill(); // SIGKILL: generation 0 is checkpointed, the run has generations left
        process.WaitForExit();
        return (run, task);
    }

    [Fact]
    public void AnEditedTaskLimitIsRefusedUntilAcceptedAndTheAcceptanceIsRecorded()
    {
        using var temp = new TempDirectory();
        var (run, task) = StartRun(temp.Path, finish: false);
        string before = Short(task);
        File.WriteAllText(task, File.ReadAllText(task).Replace("limit: 24\n", "limit: 12\n", StringComparison.Ordinal));
        string after = Short(task);
        byte[] runJson = File.ReadAllBytes(Path.Combine(run, "run.json"));

        var refused = CliRunner.Run(TimeSpan.FromMinutes(2), "resume", run, "--metrics-url", AnyPort);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"evomerge: error: resume {run}: task file {task} changed since the run started (sha256 {before} -> {after}); pass --accept-changes to resume anyway", refused.Stderr.Trim());
        Assert.Equal(runJson, File.ReadAllBytes(Path.Combine(run, "run.json")));

        var accepted = CliRunner.Run(TimeSpan.FromMinutes(2), "resume", run, "--accept-changes", "--metrics-url", AnyPort);
        Assert.True(accepted.ExitCode == 0, accepted.Stderr);
        Assert.Contains($"resume {run}: accepting changes (task file {task} changed since the run started (sha256 {before} -> {after}))", accepted.Stderr);
        string recorded = File.ReadAllText(Path.Combine(run, "run.json"));
        Assert.Contains("\"AcceptedChanges\"", recorded);
        Assert.Contains($"\"Path\": \"{task}\"", recorded);
        Assert.Contains("generation 2 done", accepted.Stderr);
    }

    [Fact]
    public void ACorruptJournalIsRefusedNamingItAndLeftAsItWas()
    {
        using var temp = new TempDirectory();
        var (run, _) = StartRun(temp.Path, finish: true);
        string journal = Path.Combine(run, "evaluations.parquet");
        byte[] bytes = File.ReadAllBytes(journal);
        bytes[bytes.Length / 2] ^= 0x5a; // a byte in the row data: Parquet's framing cannot see it, the checkpoint's SHA-256 does
        File.WriteAllBytes(journal, bytes);

        var refused = CliRunner.Run(TimeSpan.FromMinutes(2), "resume", run, "--metrics-url", AnyPort);

        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith($"evomerge: error: {journal}: is not the journal its checkpoint {Path.Combine(run, "checkpoint.json")} recorded (sha256 ", refused.Stderr);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
        Assert.Equal(bytes, File.ReadAllBytes(journal));
    }
}
