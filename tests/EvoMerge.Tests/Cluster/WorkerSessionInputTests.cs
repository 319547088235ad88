using EvoMerge.Cluster;
using EvoMerge.Demo;
using EvoMerge.Tests.Tensors;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace EvoMerge.Tests.Cluster;

/// <summary>
/// What a worker does with the sessions it is sent: it opens models and data only inside its allowed directories
/// (symbolic links resolved), refusing any other path with the same line whether it exists or not, and parses the
/// config text it receives under the YAML limits (a billion-laughs or oversized config is one line, not memory).
/// </summary>
public sealed class WorkerSessionInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly TinySpecialists.Layout _layout;
    private readonly string _outside;

    public WorkerSessionInputTests()
    {
        _layout = TinySpecialists.Write(_temp.Combine("root"), itemsPerTask: 4);
        _outside = _temp.Combine("outside");
        Directory.CreateDirectory(_outside);
        foreach (string file in Directory.GetFiles(_layout.Base))
        {
            Directory.CreateDirectory(Path.Combine(_outside, "base"));
            File.Copy(file, Path.Combine(_outside, "base", Path.GetFileName(file)));
        }
        File.Copy(Path.ChangeExtension(_layout.TaskA, ".parquet"), Path.Combine(_outside, "a.parquet"));
    }

    public void Dispose() => _temp.Dispose();

    private string Config(string baseModel = "models/base", string taskA = "tasks/a.yml") => $"""
        base_model: {baseModel}
        models: [models/a, models/b]
        objectives:
          - name: a
            task: {taskA}
            metric: acc
          - name: b
            task: tasks/b.yml
            metric: acc
        genome:
          methods: [ties, task_arithmetic]
          layer_groups: 2
        optimizer:
          name: nsga2
          settings:
            population_size: 4
        budget:
          generations: 1
        seed: 3
        run_dir: runs/x
        """;

    /// <summary>The load error a worker allowed <paramref name="roots"/> reports for <paramref name="configText"/> (null: loaded).</summary>
    private string? LoadError(string configText, params string[] roots)
    {
        using var queue = new WorkerEvaluationQueue("w1", null, new WorkerFileAccess(roots), NullLogger<WorkerEvaluationQueue>.Instance);
        var session = new WorkSession
        {
            Id = "session-" + Guid.NewGuid().ToString("N"), ConfigText = configText, ConfigFile = Path.Combine(_layout.Root, "search.yml"), ConfigDirectory = _layout.Root,
            Seed = 1, OptimizerSeed = 2, ScreeningSeed = 3, MergeSeed = 4,
        };
        queue.Prepare(session);
        var deadline = TimeProvider.System.GetTimestamp() + TimeProvider.System.TimestampFrequency * 60;
        while (queue.State().SessionId != session.Id)
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, "the worker did not load the session within 60 s");
            Thread.Sleep(10);
        }
        return queue.State().LoadError;
    }

    [Fact]
    public void ModelsAndTasksInsideTheAllowedDirectoryLoad() => Assert.Null(LoadError(Config(), _layout.Root));

    [Fact]
    public void AModelOutsideIsRefusedWithTheSameLineWhetherItExistsOrNot()
    {
        string existing = Path.Combine(_outside, "base"), missing = Path.Combine(_outside, "missing");
        Assert.Null(LoadError(Config(existing), _layout.Root, _outside)); // the copy is a usable base model
        string? refusedExisting = LoadError(Config(existing), _layout.Root), refusedMissing = LoadError(Config(missing), _layout.Root);
        Assert.Equal($"{existing}: refused: not inside a directory this worker allows (evomerge worker --allow-path DIR)", refusedExisting);
        Assert.Equal(refusedExisting!.Replace(existing, "PATH", StringComparison.Ordinal), refusedMissing!.Replace(missing, "PATH", StringComparison.Ordinal));
    }

    [Fact]
    public void ALinkInsideTheAllowedDirectoryToAModelOutsideIsRefused()
    {
        string link = Path.Combine(_layout.Root, "models", "linked");
        Directory.CreateSymbolicLink(link, Path.Combine(_outside, "base"));
        Assert.Equal($"{link}: refused: not inside a directory this worker allows (evomerge worker --allow-path DIR)", LoadError(Config("models/linked"), _layout.Root));
    }

    [Fact]
    public void AFileLinkedFromAnAllowedModelDirectoryToOutsideIsRefused()
    {
        string weights = Directory.GetFiles(_layout.SpecialistA, "*.safetensors").Single();
        File.Move(weights, Path.Combine(_outside, "a.safetensors"));
        File.CreateSymbolicLink(weights, Path.Combine(_outside, "a.safetensors"));
        Assert.Equal($"{weights}: refused: not inside a directory this worker allows (evomerge worker --allow-path DIR)", LoadError(Config(), _layout.Root));
    }

    [Fact]
    public void TaskDataOutsideIsRefusedWithTheSameLineWhetherItExistsOrNot()
    {
        string text = File.ReadAllText(_layout.TaskA);
        File.WriteAllText(Path.Combine(_layout.Root, "tasks", "existing.yml"), text.Replace("validation: a.parquet", "validation: ../../outside/a.parquet", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_layout.Root, "tasks", "missing.yml"), text.Replace("validation: a.parquet", "validation: ../../outside/gone.parquet", StringComparison.Ordinal));
        string existing = Path.Combine(_outside, "a.parquet"), missing = Path.Combine(_outside, "gone.parquet");
        Assert.Null(LoadError(Config(taskA: "tasks/existing.yml"), _layout.Root, _outside));
        string? refusedExisting = LoadError(Config(taskA: "tasks/existing.yml"), _layout.Root), refusedMissing = LoadError(Config(taskA: "tasks/missing.yml"), _layout.Root);
        Assert.Equal($"{existing}: refused: not inside a directory this worker allows (evomerge worker --allow-path DIR)", refusedExisting);
        Assert.Equal(refusedExisting!.Replace(existing, "PATH", StringComparison.Ordinal), refusedMissing!.Replace(missing, "PATH", StringComparison.Ordinal));
    }

    [Fact]
    public void AWorkerWithoutAllowedDirectoriesOpensNothing() =>
        Assert.Equal($"{_layout.Base}: refused: not inside a directory this worker allows (evomerge worker --allow-path DIR)", LoadError(Config()));

    [Fact]
    public void ABillionLaughsConfigFromTheWireIsOneLine()
    {
        long before = GC.GetTotalAllocatedBytes();
        string? error = LoadError(YamlDocumentLoaderTests.BillionLaughs, _layout.Root);
        Assert.Equal($"{Path.Combine(_layout.Root, "search.yml")}:{YamlDocumentLoaderTests.BillionLaughsMessage}", error);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 1_000_000_000, "the process allocated over 1 GB meanwhile");
    }

    [Fact]
    public void AnOversizedConfigFromTheWireIsOneLine()
    {
        string error = LoadError(Config() + "# " + new string('x', 2 * 1024 * 1024) + "\n", _layout.Root)!;
        Assert.Equal($"{Path.Combine(_layout.Root, "search.yml")}: document is over the 1 MiB limit (MaxBytes)", error);
    }
}
