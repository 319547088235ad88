using System.Globalization;
using EvoMerge.Search.Runs;
using Microsoft.Extensions.Logging;

namespace EvoMerge.Host;

/// <summary>Every generation and candidate as a structured log entry (per candidate at Information, so also in JSON logs).</summary>
public sealed class SearchLogObserver(ILogger<SearchLogObserver> logger, RunProgress progress) : ISearchObserver
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public void GenerationStarted(int generation, int candidates) =>
        logger.LogInformation("generation {Generation}: evaluating {Candidates} candidates", generation, candidates);

    public void EvaluationFinished(EvaluationRecord record)
    {
        var names = progress.ObjectiveNames;
        string values = string.Join(" ", names.Select((n, j) => string.Create(Inv, $"{n}={record.Objectives[j]:G5}")));
        string how = record.Cached ? "cached" : string.Create(Inv, $"{record.MaterializeSeconds:F2}s merge, {record.ScoreSeconds:F2}s score");
        string hash = record.RecipeHash.Length >= 12 ? record.RecipeHash[..12] : "-";
        string reason = record.Reason.Length > 0 ? " (" + record.Reason + ")" : "";
        logger.LogInformation("generation {Generation} candidate {Index}: {Hash} {Outcome} {Objectives} [{Cost}]{Reason}",
            record.Generation, record.Index, hash, SearchMetrics.Outcome(record), values, how, reason);
    }

    public void GenerationFinished(GenerationStatistics statistics)
    {
        var names = progress.ObjectiveNames;
        logger.LogInformation(
            "generation {Generation} done in {Seconds:F1}s: scored {Scored}, cache hits {CacheHits}, screened {Screened}, failed {Failed}, item evaluations saved {ItemsSaved} of {ItemsPossible}; front {FrontSize}, hypervolume {Hypervolume:G6}; best {Best}",
            statistics.Generation, statistics.Seconds, statistics.Scored, statistics.CacheHits, statistics.Screened, statistics.Failed, statistics.ItemEvaluationsSaved,
            statistics.ItemEvaluations + statistics.ItemEvaluationsSaved, statistics.FrontSize, statistics.Hypervolume,
            statistics.Best.All(double.IsNaN) ? "none (no candidate of this generation was scored in full)"
                : string.Join(" ", names.Select((n, j) => string.Create(Inv, $"{n}={statistics.Best[j]:G5}"))));
        if (statistics.FactorCache is { } factors)
            logger.LogInformation("generation {Generation} {FactorCache}", statistics.Generation, factors);
    }

    public void ReferencesScored(int scored, int total)
    {
        if (scored == 0) logger.LogInformation("scoring {Total} reference models for the Pareto front plot (once per run)", total);
    }

    public void ReferencesFromCache(int fromCache, int total, string directory) =>
        logger.LogInformation("reference models: {FromCache} of {Total} from the score cache {Directory}, {Scored} scored", fromCache, total, directory, total - fromCache);
}
