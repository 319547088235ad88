using System.Data.Common;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;

namespace EvoMerge.Cluster;

/// <summary>
/// Configures an Orleans silo (orchestrator or worker) for a <see cref="ClusterSpec"/>: membership, endpoints (bound
/// to the advertised address only, never to every interface), mutual TLS with the cluster certificate (see
/// <see cref="ClusterPeerCertificate"/>, registered as a service), name and worker placement.
/// </summary>
public static class ClusterSilo
{
    /// <summary>
    /// Adds a silo named <paramref name="siloName"/> to <paramref name="builder"/>. The orchestrator listens on the
    /// spec's silo port (with localhost clustering it is the primary silo); a worker listens on
    /// <paramref name="workerPort"/> (0: a free port). Orleans logs its errors only, and nothing while
    /// <paramref name="silenced"/> says so (a worker abandoning its start reports that in one line of its own).
    /// </summary>
    public static void Add(IHostApplicationBuilder builder, ClusterSpec spec, string siloName, bool orchestrator, int workerPort = 0, Func<bool>? silenced = null)
    {
        foreach (string category in new[] { "Orleans", "Microsoft.Orleans", "Polly" })
            builder.Logging.AddFilter(category, level => level >= LogLevel.Error && silenced?.Invoke() != true);
        var peers = spec.Certificate is { } certificate ? new ClusterPeerCertificate(certificate) : null;
        if (peers is not null) builder.Services.AddSingleton(peers);
        else if (!spec.Insecure) throw new ArgumentException($"{spec.Source}: no cluster certificate; set certificate, or insecure: true");
        builder.UseOrleans(silo =>
        {
            var bound = spec.Kind == ClusteringKind.Localhost ? IPAddress.Loopback : spec.AdvertisedAddress;
            int siloPort = orchestrator ? spec.SiloPort : workerPort;
            if (siloPort == 0) siloPort = ClusterSpec.FreePort(bound);
            int gatewayPort = spec.GatewayPort != 0 && orchestrator ? spec.GatewayPort : ClusterSpec.FreePort(bound);
            if (peers is not null) silo.UseTls(peers.Configure);
            switch (spec.Kind)
            {
                case ClusteringKind.Localhost:
                    silo.UseLocalhostClustering(siloPort, gatewayPort, orchestrator ? null : spec.Primary, spec.ServiceId, spec.ClusterId);
                    break;
                case ClusteringKind.Redis:
                    silo.UseRedisClustering(spec.ConnectionString);
                    Endpoints(silo, spec, siloPort, gatewayPort);
                    break;
                case ClusteringKind.AdoNet:
                    if (spec.Invariant == "Npgsql") DbProviderFactories.RegisterFactory("Npgsql", NpgsqlFactory.Instance);
                    silo.UseAdoNetClustering(o =>
                    {
                        o.Invariant = spec.Invariant;
                        o.ConnectionString = spec.ConnectionString;
                    });
                    Endpoints(silo, spec, siloPort, gatewayPort);
                    break;
            }
            silo.Configure<SiloOptions>(o => o.SiloName = siloName);
            silo.AddPlacementDirector<WorkerPlacement, WorkerPlacementDirector>();
        });
    }

    private static void Endpoints(ISiloBuilder silo, ClusterSpec spec, int siloPort, int gatewayPort)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = spec.ClusterId;
            o.ServiceId = spec.ServiceId;
        });
        silo.ConfigureEndpoints(spec.AdvertisedAddress, siloPort, gatewayPort, listenOnAnyHostAddress: false);
    }
}
