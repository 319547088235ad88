namespace EvoMerge.Cluster;

/// <summary>One candidate sent to a worker: its genome (the worker composes the recipe), the recipe hash the orchestrator expects, and the screening inputs.</summary>
[GenerateSerializer, Immutable]
public sealed class CandidateWork
{
    [Id(0)] public required WorkSession Session { get; init; }

    [Id(1)] public required int Generation { get; init; }

    [Id(2)] public required int Index { get; init; }

    /// <summary>1 for the first try, counting re-sends after a worker was lost.</summary>
    [Id(3)] public required int Attempt { get; init; }

    [Id(4)] public required double[] Reals { get; init; }

    [Id(5)] public required int[] Categories { get; init; }

    [Id(6)] public required string Hash { get; init; }

    /// <summary>Cheap-first item subsets or racing item orders per objective task name, or null.</summary>
    [Id(7)] public Dictionary<string, int[]>? Subsets { get; init; }

    /// <summary>Per-item results of the front's feasible members (only with cheap-first subsets or racing orders).</summary>
    [Id(8)] public required List<Dictionary<string, Dictionary<string, double[]>>> Front { get; init; }

    /// <summary>Identifies the candidate within a session, across attempts.</summary>
    public string Key => $"{Generation}/{Index}";
}
