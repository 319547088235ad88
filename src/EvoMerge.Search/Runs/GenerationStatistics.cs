using System.Text.Json.Serialization;
using EvoMerge.Merging;

namespace EvoMerge.Search.Runs;

/// <summary>
/// What one generation did and where the search stands after it: candidates, scored, cache hits, screened and failed
/// candidates, item evaluations done and saved by cheap-first scoring or racing, the archive's size and exact hypervolume (of
/// its feasible members, minimised objectives, against <see cref="Reference"/>), the best and mean value of each
/// objective over this generation's fully scored feasible candidates (own direction), and timings.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record GenerationStatistics
{
    public required int Generation { get; init; }

    public required int Candidates { get; init; }

    public required int Scored { get; init; }

    public required int CacheHits { get; init; }

    public required int Screened { get; init; }

    public required int Failed { get; init; }

    public required long ItemEvaluations { get; init; }

    public required long ItemEvaluationsSaved { get; init; }

    public required int FrontSize { get; init; }

    public required double Hypervolume { get; init; }

    /// <summary>The hypervolume reference point (minimised objectives), or null while none is fixed yet.</summary>
    public double[]? Reference { get; init; }

    public required double[] Best { get; init; }

    public required double[] Mean { get; init; }

    public required double Seconds { get; init; }

    public required double MaterializeSeconds { get; init; }

    public required double ScoreSeconds { get; init; }

    /// <summary>
    /// The in-process materialiser's merge factor cache after this generation (hits, misses, evictions, bytes held;
    /// null when candidates are evaluated elsewhere). For the log only: not written to the checkpoint or the status.
    /// </summary>
    [JsonIgnore]
    public MergeFactorCacheStatistics? FactorCache { get; init; }
}
