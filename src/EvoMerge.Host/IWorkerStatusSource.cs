namespace EvoMerge.Host;

/// <summary>Lists the evaluation workers of a cluster run; registered by the cluster layer, read by <c>/status</c>.</summary>
public interface IWorkerStatusSource
{
    /// <summary>Every worker seen during the run, in name order.</summary>
    IReadOnlyList<WorkerStatus> Workers();
}
