namespace EvoMerge.Merging.Execution;

/// <summary>Options of a <see cref="MergeExecutor"/> run.</summary>
public sealed record MergeExecutionOptions
{
    /// <summary>Run seed for methods that draw random numbers; each tensor's generator is seeded by <see cref="TensorSeed"/>.</summary>
    public ulong Seed { get; init; }

    /// <summary>Called after every merged tensor (on the merging thread).</summary>
    public Action<MergeProgress>? Progress { get; init; }

    /// <summary>Checked between tensors.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Proxy input statistics for data-aware methods (esm); null when none were prepared.</summary>
    public IProxyActivations? ProxyActivations { get; init; }
}
