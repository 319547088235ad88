using System.Collections.Immutable;
using System.Net;
using System.Runtime.CompilerServices;

namespace EvoMerge.Tests.Cluster;

/// <summary>
/// Cluster membership that never changes: one active silo named <c>worker.NAME</c> per given name (127.0.0.1, a port
/// each); records the silos declared dead.
/// </summary>
public sealed class FixedClusterMembership : IClusterMembershipService
{
    private readonly Lock _gate = new();
    private readonly List<SiloAddress> _killed = [];

    public FixedClusterMembership(params string[] workers)
    {
        Silos = workers.Select((name, i) => (name, SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111 + i), 1))).ToDictionary(p => p.name, p => p.Item2, StringComparer.Ordinal);
        CurrentSnapshot = new ClusterMembershipSnapshot(
            Silos.ToImmutableDictionary(p => p.Value, p => new ClusterMember(p.Value, SiloStatus.Active, "worker." + p.Key)), new MembershipVersion(1));
    }

    /// <summary>Each worker's silo address, by name.</summary>
    public IReadOnlyDictionary<string, SiloAddress> Silos { get; }

    /// <summary>The silos declared dead so far.</summary>
    public IReadOnlyList<SiloAddress> Killed
    {
        get
        {
            lock (_gate) return [.. _killed];
        }
    }

    public ClusterMembershipSnapshot CurrentSnapshot { get; }

    public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => NoUpdates();

    public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public Task<bool> TryKill(SiloAddress siloAddress)
    {
        lock (_gate) _killed.Add(siloAddress);
        return Task.FromResult(true);
    }

    private static async IAsyncEnumerable<ClusterMembershipSnapshot> NoUpdates([EnumeratorCancellation] CancellationToken cancellation = default)
    {
        await Task.Delay(Timeout.Infinite, cancellation);
        yield break;
    }
}
