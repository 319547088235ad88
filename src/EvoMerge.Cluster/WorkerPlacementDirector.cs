using Orleans.Runtime.Placement;

namespace EvoMerge.Cluster;

/// <summary>
/// Picks the active silo named <c>worker.KEY</c> for a worker grain (the newest one if a worker restarted); fails when
/// that worker is not in the cluster, so a call to a worker that left fails instead of running somewhere else.
/// </summary>
public sealed class WorkerPlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    /// <summary>The silo name of worker <paramref name="worker"/>.</summary>
    public static string SiloName(string worker) => "worker." + worker;

    /// <summary>The worker name of a silo name, or null when the silo is not a worker.</summary>
    public static string? WorkerName(string? siloName) => siloName is { } s && s.StartsWith("worker.", StringComparison.Ordinal) ? s["worker.".Length..] : null;

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string worker = target.GrainIdentity.Key.ToString()!;
        string name = SiloName(worker);
        // A silo that just joined can be an active member before its grain types reached this silo; it hosts the
        // worker grain all the same, so it is placed there rather than failing until the manifests converge.
        var compatible = context.GetCompatibleSilos(target).ToHashSet();
        var silo = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && m.Name == name)
            .OrderByDescending(m => compatible.Contains(m.SiloAddress))
            .ThenByDescending(m => m.SiloAddress.Generation)
            .Select(m => m.SiloAddress)
            .FirstOrDefault();
        return silo is not null ? Task.FromResult(silo) : throw new OrleansException($"worker {worker} is not an active member of the cluster");
    }
}
