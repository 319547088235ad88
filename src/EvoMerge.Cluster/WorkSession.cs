using EvoMerge.Search.Runs;

namespace EvoMerge.Cluster;

/// <summary>
/// What a worker needs to evaluate a run's candidates: the search config's text, where its relative paths resolve and
/// the run's derived seeds. Workers build the same setup from it and load the sources once per session; no tensors travel.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class WorkSession
{
    /// <summary>Unique per orchestrator session (run directory and a random suffix).</summary>
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string ConfigText { get; init; }

    [Id(2)] public required string ConfigFile { get; init; }

    [Id(3)] public required string ConfigDirectory { get; init; }

    [Id(4)] public required ulong Seed { get; init; }

    [Id(5)] public required ulong OptimizerSeed { get; init; }

    [Id(6)] public required ulong ScreeningSeed { get; init; }

    [Id(7)] public required ulong MergeSeed { get; init; }

    /// <summary>The orchestrator's run directory: the config is read with it, as its <c>run_dir</c> may be absent (given by <c>--run-dir</c>); the worker writes nothing there.</summary>
    [Id(8)] public string? RunDirectory { get; init; }

    /// <summary>The session of a run's setup.</summary>
    public static WorkSession Of(SearchSetup setup) => new()
    {
        Id = $"{setup.Config.RunDirectory}#{Guid.NewGuid():N}",
        ConfigText = setup.Config.Text,
        ConfigFile = setup.Info.ConfigFile,
        ConfigDirectory = setup.Info.ConfigDirectory,
        Seed = setup.Info.Seed,
        OptimizerSeed = setup.Info.OptimizerSeed,
        ScreeningSeed = setup.Info.ScreeningSeed,
        MergeSeed = setup.Info.MergeSeed,
        RunDirectory = setup.Config.RunDirectory,
    };

    /// <summary>The run info the worker's setup uses (<paramref name="configDirectory"/> replaces the orchestrator's when given).</summary>
    public RunInfo Info(string? configDirectory) => new(ConfigFile, configDirectory ?? ConfigDirectory, Seed, OptimizerSeed, ScreeningSeed, MergeSeed);
}
