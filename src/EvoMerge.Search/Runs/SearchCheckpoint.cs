using System.Text.Json;
using System.Text.Json.Serialization;
using EvoMerge.Optimization;
using EvoMerge.Optimization.Pareto;

namespace EvoMerge.Search.Runs;

/// <summary>
/// Everything a search needs to continue after its last complete generation: the optimizer's state, the screening
/// generator's state, the last told population, the archive, the hypervolume reference, per-generation statistics,
/// counters and how many row groups (one per generation) of <c>evaluations.parquet</c> belong to it. Written
/// atomically as <c>checkpoint.json</c> after every generation.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record SearchCheckpoint
{
    /// <summary>Format version.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Completed generations.</summary>
    public required int Generation { get; init; }

    /// <summary>Candidates scored so far (cache hits excluded).</summary>
    public required int EvaluationsScored { get; init; }

    /// <summary>Seconds spent searching, over all sessions.</summary>
    public required double ElapsedSeconds { get; init; }

    public required OptimizerState Optimizer { get; init; }

    /// <summary>State of the generator that draws cheap-first subsets and racing orders.</summary>
    public required string ScreeningRandom { get; init; }

    public required IReadOnlyList<EvaluatedGenome> Population { get; init; }

    public required IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> Archive { get; init; }

    public double[]? Reference { get; init; }

    public required IReadOnlyList<GenerationStatistics> Statistics { get; init; }

    /// <summary>Row groups of evaluations.parquet written up to this checkpoint.</summary>
    public required int EvaluationRowGroups { get; init; }

    /// <summary>
    /// SHA-256 of evaluations.parquet as this checkpoint's generation left it (checked on resume: a journal changed
    /// since is refused before anything is written); null in checkpoints written before it was recorded.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? EvaluationsSha256 { get; init; }

    /// <summary>Serializer options of run files.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
