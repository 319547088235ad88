namespace EvoMerge.Search.Monitoring;

/// <summary>
/// The name of the meter every EvoMerge instrument is on: the host's search metrics and the cluster's worker metrics
/// create it, the host's exporter collects it. It lives in Search, below both Host and Cluster, with
/// <see cref="RunIdentity"/> and the worker status contract (<see cref="IWorkerStatusSource"/>), so that the cluster
/// layer needs no reference to the host; it is a name only (Search itself creates no instruments).
/// </summary>
public static class SearchMeter
{
    /// <summary>The meter's name (what the exporter is told to collect).</summary>
    public const string Name = "EvoMerge";
}
