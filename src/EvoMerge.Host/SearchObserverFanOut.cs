using EvoMerge.Search.Runs;

namespace EvoMerge.Host;

/// <summary>Passes each search event to several observers in order.</summary>
public sealed class SearchObserverFanOut(IReadOnlyList<ISearchObserver> observers) : ISearchObserver
{
    public void GenerationStarted(int generation, int candidates)
    {
        foreach (var o in observers) o.GenerationStarted(generation, candidates);
    }

    public void EvaluationFinished(EvaluationRecord record)
    {
        foreach (var o in observers) o.EvaluationFinished(record);
    }

    public void GenerationFinished(GenerationStatistics statistics)
    {
        foreach (var o in observers) o.GenerationFinished(statistics);
    }

    public void ReferencesScored(int scored, int total)
    {
        foreach (var o in observers) o.ReferencesScored(scored, total);
    }

    public void ReferencesFromCache(int fromCache, int total, string directory)
    {
        foreach (var o in observers) o.ReferencesFromCache(fromCache, total, directory);
    }
}
