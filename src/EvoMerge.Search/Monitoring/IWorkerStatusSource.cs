namespace EvoMerge.Search.Monitoring;

/// <summary>
/// Lists the evaluation workers of a cluster run; registered by the cluster layer, read by the host's <c>/status</c>.
/// A contract between the two that lives below both (see <see cref="SearchMeter"/>).
/// </summary>
public interface IWorkerStatusSource
{
    /// <summary>Every worker seen during the run, in name order.</summary>
    IReadOnlyList<WorkerStatus> Workers();
}
