namespace EvoMerge.Cluster;

/// <summary>A worker's answer to a ping: its loaded session and the candidates it holds (queued or running, not yet reported).</summary>
[GenerateSerializer, Immutable]
public sealed class WorkerState
{
    [Id(0)] public required string Name { get; init; }

    [Id(1)] public string? SessionId { get; init; }

    /// <summary>Why loading the session's sources failed, if it did.</summary>
    [Id(2)] public string? LoadError { get; init; }

    /// <summary>Keys (<c>generation/index</c>) of the candidates held.</summary>
    [Id(3)] public required List<string> Held { get; init; }
}
