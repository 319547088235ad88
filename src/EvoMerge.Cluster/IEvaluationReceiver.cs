namespace EvoMerge.Cluster;

/// <summary>The orchestrator's observer that workers report candidate results to.</summary>
public interface IEvaluationReceiver : IGrainObserver
{
    /// <summary>A worker's result (or error) for one candidate.</summary>
    Task Report(CandidateResult result);
}
