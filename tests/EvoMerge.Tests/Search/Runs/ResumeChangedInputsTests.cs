using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using Xunit;

namespace EvoMerge.Tests.Search.Runs;

/// <summary>
/// run.json records the fingerprints of a run's inputs; resume refuses a run whose saved config, task file, task data
/// or model header changed since, naming it, unless changes are accepted (then recorded, with the clock's time, and
/// the new fingerprints become the reference); a run without fingerprints resumes with a warning. Expected hashes
/// are computed here from the files' bytes.
/// </summary>
public sealed class ResumeChangedInputsTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    private string Root => fixture.Layout.Root;

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string FileSha256(string path) => Sha256(File.ReadAllBytes(path));

    private static string Short(string sha256) => sha256[..12] + "…";

    /// <summary>Copies of tasks a and b (with <c>limit: 24</c> on a) and a copy of model b, private to <paramref name="name"/>; returns the config path.</summary>
    private string WriteProblem(string name)
    {
        foreach (string task in new[] { "a", "b" })
        {
            string text = File.ReadAllText(Path.Combine(Root, "tasks", task + ".yml")).Replace($"name: {task}\n", $"name: {name}-{task}\n", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(Root, "tasks", $"{name}-{task}.yml"), text + (task == "a" ? "limit: 24\n" : ""));
        }
        string modelB = Path.Combine(Root, "models", name + "-b");
        Directory.CreateDirectory(modelB);
        foreach (string file in Directory.GetFiles(fixture.Layout.SpecialistB)) File.Copy(file, Path.Combine(modelB, Path.GetFileName(file)));
        string config = Path.Combine(Root, name + ".yml");
        File.WriteAllText(config, $"""
            base_model: models/base
            models: [models/a, models/{name}-b]
            objectives:
              - name: a
                task: tasks/{name}-a.yml
                metric: acc
              - name: b
                task: tasks/{name}-b.yml
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
            seed: 5
            run_dir: runs/{name}

            """);
        return config;
    }

    /// <summary>Starts the run of <paramref name="name"/> and completes one generation; returns the run directory.</summary>
    private string StartOneGeneration(string name)
    {
        var config = SearchConfigReader.ReadFile(WriteProblem(name));
        using var run = SearchRun.Start(config);
        run.RunGeneration();
        return config.RunDirectory;
    }

    private string Task(string name, string task) => Path.Combine(Root, "tasks", $"{name}-{task}.yml");

    /// <summary>The bytes of every file in the run directory but the lock owner note (rewritten by each opener).</summary>
    private static Dictionary<string, byte[]> Snapshot(string run) =>
        Directory.GetFiles(run).Where(f => Path.GetFileName(f) != "run.owner").ToDictionary(f => f, File.ReadAllBytes);

    private static void AssertUnchanged(Dictionary<string, byte[]> before, string run)
    {
        var after = Snapshot(run);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (file, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[file]), $"{file} changed");
    }

    [Fact]
    public void RunJsonRecordsTheConfigTasksDataAndModelHeadersFingerprints()
    {
        string run = StartOneGeneration("recorded");
        var info = RunStore.ReadInfo(new RunFiles(run));
        Assert.NotNull(info.Inputs);
        var inputs = info.Inputs.ToDictionary(i => i.Path, i => (i.Kind, i.Sha256));

        Assert.Equal(("config", FileSha256(Path.Combine(run, "config.yml"))), inputs["config.yml"]);
        Assert.Equal(("task file", FileSha256(Task("recorded", "a"))), inputs[Task("recorded", "a")]);
        Assert.Equal(("task file", FileSha256(Task("recorded", "b"))), inputs[Task("recorded", "b")]);
        foreach (string data in new[] { "a.parquet", "b.parquet" })
            Assert.Equal(("task data", FileSha256(Path.Combine(Root, "tasks", data))), inputs[Path.Combine(Root, "tasks", data)]);
        foreach (string model in new[] { "base", "a", "recorded-b" })
        {
            string directory = Path.Combine(Root, "models", model);
            Assert.Equal(("model config", FileSha256(Path.Combine(directory, "config.json"))), inputs[Path.Combine(directory, "config.json")]);
            // The header fingerprint: SHA-256 of the 8-byte length, the header JSON and the file size (8 bytes, little-endian).
            byte[] weights = File.ReadAllBytes(Path.Combine(directory, "model.safetensors"));
            int header = checked((int)BinaryPrimitives.ReadInt64LittleEndian(weights));
            byte[] expected = [.. weights[..(8 + header)], .. BitConverter.GetBytes((long)weights.Length)];
            Assert.Equal(("model weights header", Sha256(expected)), inputs[Path.Combine(directory, "model.safetensors")]);
        }
        Assert.Equal(11, info.Inputs.Count); // config, 2 task files, 2 data files, 3 model configs, 3 headers
        Assert.Equal("config", info.Inputs[0].Kind);
        Assert.Null(info.AcceptedChanges);
        // Unchanged inputs: resume goes on without a warning.
        using var resumed = SearchRun.Resume(run);
        Assert.Equal(1, resumed.Generation);
        Assert.Empty(resumed.Warnings);
    }

    [Fact]
    public void AnEditedTaskLimitRefusesResumeNamingTheTaskFileAndWritesNothing()
    {
        string run = StartOneGeneration("limit");
        string task = Task("limit", "a");
        string before = FileSha256(task);
        File.WriteAllText(task, File.ReadAllText(task).Replace("limit: 24\n", "limit: 12\n", StringComparison.Ordinal));
        string after = FileSha256(task);
        var files = Snapshot(run);

        var error = Assert.Throws<RunChangedException>(() => SearchRun.Resume(run));

        Assert.Equal($"resume {run}: task file {task} changed since the run started (sha256 {Short(before)} -> {Short(after)}); pass --accept-changes to resume anyway", error.Message);
        AssertUnchanged(files, run);
    }

    [Fact]
    public void AnEditedGeneRangeInTheSavedConfigRefusesResume()
    {
        string run = StartOneGeneration("range");
        string config = Path.Combine(run, "config.yml");
        string before = FileSha256(config);
        File.WriteAllText(config, File.ReadAllText(config).Replace("weight: [0, 2]", "weight: [0, 3]", StringComparison.Ordinal));
        string after = FileSha256(config);
        var files = Snapshot(run);

        var error = Assert.Throws<RunChangedException>(() => SearchRun.Resume(run));

        Assert.Equal($"resume {run}: config {config} changed since the run started (sha256 {Short(before)} -> {Short(after)}); pass --accept-changes to resume anyway", error.Message);
        AssertUnchanged(files, run);
    }

    [Fact]
    public void ExportRefusesARunWhoseSavedConfigChangedAndWritesNothing()
    {
        string run = StartOneGeneration("export-range");
        string config = Path.Combine(run, "config.yml");
        string before = FileSha256(config);
        File.WriteAllText(config, File.ReadAllText(config).Replace("weight: [0, 2]", "weight: [0, 3]", StringComparison.Ordinal));
        string after = FileSha256(config);
        var files = Snapshot(run);

        var error = Assert.Throws<RunChangedException>(() => ModelExporter.OpenRun(run));

        Assert.Equal($"export {run}: config {config} changed since the run started (sha256 {Short(before)} -> {Short(after)}); the archive was scored on the recorded inputs; restore them, or accept the change with `evomerge resume RUN --accept-changes` first", error.Message);
        AssertUnchanged(files, run);
        File.WriteAllText(config, File.ReadAllText(config).Replace("weight: [0, 3]", "weight: [0, 2]", StringComparison.Ordinal));
        Assert.Equal(run, ModelExporter.OpenRun(run).Config.RunDirectory);
    }

    [Fact]
    public void AChangedModelHeaderIsNamedAndEveryChangeIsListed()
    {
        string run = StartOneGeneration("header");
        string weights = Path.Combine(Root, "models", "header-b", "model.safetensors");
        string before = FileSha256Header(weights);
        File.AppendAllText(weights, "x"); // the size is part of the header fingerprint
        string after = FileSha256Header(weights);
        string task = Task("header", "b");
        File.AppendAllText(task, "# edited\n");

        var error = Assert.Throws<RunChangedException>(() => SearchRun.Resume(run));

        Assert.Equal($"resume {run}: task file {task} changed since the run started (sha256 {Short(RecordedSha(run, task))} -> {Short(FileSha256(task))}); also changed: model weights header {weights}; pass --accept-changes to resume anyway", error.Message);
        Assert.Equal(["task file", "model weights header"], error.Changes.Select(c => c.Kind));
        Assert.Equal((before, after), (error.Changes[1].Before, error.Changes[1].After));
    }

    private static string RecordedSha(string run, string path) => RunStore.ReadInfo(new RunFiles(run)).Inputs!.Single(i => i.Path == path).Sha256;

    private static string FileSha256Header(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int header = checked((int)BinaryPrimitives.ReadInt64LittleEndian(bytes));
        return Sha256([.. bytes[..(8 + header)], .. BitConverter.GetBytes((long)bytes.Length)]);
    }

    [Fact]
    public void AcceptChangesResumesRecordsTheChangeAtTheClocksTimeAndMakesTheNewFingerprintsTheReference()
    {
        string run = StartOneGeneration("accept");
        string task = Task("accept", "a");
        string before = FileSha256(task);
        File.WriteAllText(task, File.ReadAllText(task).Replace("limit: 24\n", "limit: 12\n", StringComparison.Ordinal));
        string after = FileSha256(task);
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 7, 3, 0, 0, TimeSpan.Zero));

        using (var resumed = SearchRun.Resume(run, acceptChanges: true, clock: clock))
        {
            Assert.Equal(1, resumed.Generation);
            Assert.Equal($"resume {run}: accepting changes (task file {task} changed since the run started (sha256 {Short(before)} -> {Short(after)})); recorded in {Path.Combine(run, "run.json")}", Assert.Single(resumed.Warnings));
        }

        var info = RunStore.ReadInfo(new RunFiles(run));
        var accepted = Assert.Single(info.AcceptedChanges!);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 3, 0, 0, TimeSpan.Zero), accepted.At);
        Assert.Equal(new InputChange("task file", task, before, after), Assert.Single(accepted.Changes));
        Assert.Equal(after, info.Inputs!.Single(i => i.Path == task).Sha256);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json")));
        Assert.Equal("2026-12-07T03:00:00+00:00", json.RootElement.GetProperty("AcceptedChanges")[0].GetProperty("At").GetString());

        // The accepted state is the reference now: a plain resume goes on, and a further edit is refused again.
        using (var again = SearchRun.Resume(run)) Assert.Empty(again.Warnings);
        File.AppendAllText(task, "# edited again\n");
        Assert.Throws<RunChangedException>(() => SearchRun.Resume(run));
    }

    [Fact]
    public void ARunStartedWithoutFingerprintsResumesWithAWarningAndIsCheckedFromThenOn()
    {
        string run = StartOneGeneration("old");
        var files = new RunFiles(run);
        var info = RunStore.ReadInfo(files);
        // run.json as runs started before fingerprints were recorded wrote it.
        File.WriteAllText(files.Run, $$"""
            {
              "ConfigFile": "{{info.ConfigFile}}",
              "ConfigDirectory": "{{info.ConfigDirectory}}",
              "Seed": 5,
              "OptimizerSeed": 5,
              "ScreeningSeed": {{info.ScreeningSeed}},
              "MergeSeed": 5
            }

            """);
        string task = Task("old", "a");
        File.AppendAllText(task, "# edited before the resume: cannot be seen\n");

        using (var resumed = SearchRun.Resume(run))
        {
            Assert.Equal(1, resumed.Generation);
            Assert.Equal($"resume {run}: its run.json records no fingerprints of the run's inputs (the run was started by an older evomerge), so changes to its config, tasks or models cannot be detected; they are recorded now and checked on later resumes",
                Assert.Single(resumed.Warnings));
        }

        Assert.Equal(FileSha256(task), RecordedSha(run, task));
        Assert.Equal(info.ScreeningSeed, RunStore.ReadInfo(files).ScreeningSeed);
        File.AppendAllText(task, "# edited after\n");
        Assert.Throws<RunChangedException>(() => SearchRun.Resume(run));
    }
}
