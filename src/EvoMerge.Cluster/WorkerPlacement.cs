using Orleans.Placement;

namespace EvoMerge.Cluster;

/// <summary>
/// Places a worker grain on the silo of the worker it is named after (silo name <c>worker.NAME</c>, grain key NAME),
/// so the orchestrator reaches a given worker process, and never anywhere else (see <see cref="WorkerPlacementDirector"/>).
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class WorkerPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static WorkerPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class as placed by <see cref="WorkerPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class WorkerPlacementAttribute() : PlacementAttribute(WorkerPlacement.Instance);
