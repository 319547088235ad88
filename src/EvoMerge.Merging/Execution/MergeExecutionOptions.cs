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

    /// <summary>
    /// False (the default): an input tensor holding NaN or ±∞ stops the merge with an error naming its file and tensor.
    /// True: such a tensor is merged, with one <see cref="Warn"/> call per input tensor.
    /// </summary>
    public bool AllowNonFiniteInputs { get; init; }

    /// <summary>Receives warnings (a non-finite input when <see cref="AllowNonFiniteInputs"/> is set, the plan's vocabulary warnings); null drops them.</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>Proxy input statistics for data-aware methods (esm); null when none were prepared.</summary>
    public IProxyActivations? ProxyActivations { get; init; }

    /// <summary>
    /// A cache of source-only intermediates (<see cref="MergeFactorCache"/>) shared by several merges of the same
    /// sources (the benchmark's repeated candidates); null: none. The caller owns and disposes it.
    /// </summary>
    public MergeFactorCache? Factors { get; init; }

    /// <summary>
    /// Without <see cref="Factors"/>, the byte budget of the cache the executor keeps for the duration of one run of an
    /// <see cref="IInterLayerMergeMethod"/> (esm): its planning pass merges every tensor once for the all-layer norms
    /// and the writing pass reuses each merged update still held instead of merging the tensor again. Default 1 GiB;
    /// 0 keeps nothing (every tensor is merged twice). Results are bit-identical whatever the budget.
    /// </summary>
    public long PlanningCacheBytes { get; init; } = 1L << 30;
}
