namespace EvoMerge.Search.Runs;

/// <summary>
/// Receives a search's progress (on the search thread): a hosted orchestrator, metrics exporters or the CLI's log
/// lines plug in here. Implementations must not throw.
/// </summary>
public interface ISearchObserver
{
    /// <summary>A generation's batch was asked and is about to be evaluated.</summary>
    void GenerationStarted(int generation, int candidates);

    /// <summary>One candidate of the current generation was evaluated (or found in the fitness cache).</summary>
    void EvaluationFinished(EvaluationRecord record);

    /// <summary>A generation was told, archived and checkpointed.</summary>
    void GenerationFinished(GenerationStatistics statistics);

    /// <summary>
    /// The run's reference models are being scored (see <see cref="ReferenceScoring"/>): <paramref name="scored"/> of
    /// <paramref name="total"/> done; called with 0 before the first and with <paramref name="total"/> after the last.
    /// </summary>
    void ReferencesScored(int scored, int total)
    {
    }

    /// <summary>
    /// The reference models were done with the score cache in <paramref name="directory"/>: <paramref name="fromCache"/>
    /// of <paramref name="total"/> came from it (not scored in this run); the rest were scored and written to it.
    /// </summary>
    void ReferencesFromCache(int fromCache, int total, string directory)
    {
    }
}
