using EvoMerge.Merging;
using EvoMerge.Optimization;
using TorchSharp;

namespace EvoMerge.Search.Configuration;

/// <summary>
/// A validated search configuration (see <c>search-space.schema.json</c>) with every path made absolute against the
/// config file's directory. Read with <see cref="SearchConfigReader"/>.
/// </summary>
public sealed record SearchConfig
{
    /// <summary>The config file as named by the caller (used in messages).</summary>
    public required string File { get; init; }

    /// <summary>The config text as read (copied into the run directory).</summary>
    public required string Text { get; init; }

    /// <summary>Full path of the base model directory.</summary>
    public required string BaseModel { get; init; }

    /// <summary>Full paths of the source model directories, in gene order.</summary>
    public required IReadOnlyList<string> Models { get; init; }

    /// <summary>The objectives in order.</summary>
    public required IReadOnlyList<ObjectiveConfig> Objectives { get; init; }

    /// <summary>Minimum-score constraints.</summary>
    public required IReadOnlyList<ConstraintConfig> Constraints { get; init; }

    /// <summary>Whether tasks on a split named 'test' are allowed.</summary>
    public bool AllowTestSplit { get; init; }

    /// <summary>The merge methods the config was read against (their declarations shape the genome and the recipes).</summary>
    public MergeMethodRegistry Methods { get; init; } = MergeMethodRegistry.Default;

    /// <summary>The genome definition.</summary>
    public required GenomeConfig Genome { get; init; }

    /// <summary>Dtype of task vectors, merging, merged weights and the candidate model.</summary>
    public torch.ScalarType DType { get; init; } = torch.ScalarType.Float32;

    /// <summary>Config <c>merge.proxy_tasks</c>: the eval task YAML per source model for methods that need proxy activations (full paths, in model order), or null.</summary>
    public IReadOnlyList<string>? ProxyTasks { get; init; }

    /// <summary>Config <c>merge.proxy_prompts</c>: proxy prompts per task (1 to 32, default 32).</summary>
    public int ProxyPrompts { get; init; } = 32;

    /// <summary>
    /// Config <c>merge.factor_cache_mb</c>: the budget, in MiB, of the cache of source-only merge intermediates kept
    /// between candidates (subspace decompositions, TIES magnitude orders; default 4096, 0 keeps none).
    /// </summary>
    public long FactorCacheMegabytes { get; init; } = 4096;

    /// <summary>Optimizer settings (their type names the optimizer).</summary>
    public required OptimizerSettings Optimizer { get; init; }

    /// <summary>Stopping limits.</summary>
    public required BudgetConfig Budget { get; init; }

    /// <summary>Cheap-first scoring.</summary>
    public CheapFirstConfig CheapFirst { get; init; } = CheapFirstConfig.Off;

    /// <summary>Racing: items scored in rounds, a candidate stopped once an archive member dominates it (<c>evaluation.racing</c>).</summary>
    public RacingConfig Racing { get; init; } = RacingConfig.Off;

    /// <summary>Tokens per scoring batch.</summary>
    public int BatchTokenBudget { get; init; } = 4096;

    /// <summary>Whether reference scores are shared with other runs through the per-machine score cache (<c>score_cache</c>, default true).</summary>
    public bool ScoreCache { get; init; } = true;

    /// <summary>The score cache's directory (<c>score_cache_dir</c>, full path); null: the default (see <see cref="Scoring.ScoreCacheLocation"/>).</summary>
    public string? ScoreCacheDirectory { get; init; }

    /// <summary>Seed of every random choice of the run.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Full path of the run directory.</summary>
    public required string RunDirectory { get; init; }

    /// <summary>Task files used by objectives and constraints, distinct, in first-use order.</summary>
    public IReadOnlyList<string> TaskFiles =>
        Objectives.Select(o => o.Task).Concat(Constraints.Select(c => c.Task)).Distinct(StringComparer.Ordinal).ToArray();
}
