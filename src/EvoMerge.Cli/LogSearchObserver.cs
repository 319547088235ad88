using System.Globalization;
using EvoMerge.Search.Runs;

namespace EvoMerge.Cli;

/// <summary>Progress of a search as plain log lines on stderr.</summary>
public sealed class LogSearchObserver(IReadOnlyList<string> objectiveNames) : ISearchObserver
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public void GenerationStarted(int generation, int candidates) =>
        Console.Error.WriteLine(string.Create(Inv, $"evomerge: generation {generation}: evaluating {candidates} candidates"));

    public void EvaluationFinished(EvaluationRecord record)
    {
        string values = string.Join(" ", objectiveNames.Select((n, j) => string.Create(Inv, $"{n}={record.Objectives[j]:G5}")));
        string how = record.Cached ? "cached" : string.Create(Inv, $"{record.MaterializeSeconds:F2}s merge, {record.ScoreSeconds:F2}s score");
        string hash = record.RecipeHash.Length >= 12 ? record.RecipeHash[..12] : "-";
        string reason = record.Reason.Length > 0 ? " (" + record.Reason + ")" : "";
        Console.Error.WriteLine(string.Create(Inv,
            $"evomerge: generation {record.Generation} candidate {record.Index}: {hash} {record.Status.ToString().ToLowerInvariant()} {values} [{how}]{reason}"));
    }

    public void GenerationFinished(GenerationStatistics s) =>
        Console.Error.WriteLine(string.Create(Inv,
            $"evomerge: generation {s.Generation} done in {s.Seconds:F1}s: scored {s.Scored}, cache hits {s.CacheHits}, screened {s.Screened}, failed {s.Failed}, item evaluations saved {s.ItemEvaluationsSaved}; front {s.FrontSize}, hypervolume {s.Hypervolume:G6}; best {string.Join(" ", objectiveNames.Select((n, j) => $"{n}={s.Best[j]:G5}"))}"));
}
