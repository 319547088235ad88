using System.Net;
using EvoMerge.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Xunit;

namespace EvoMerge.Tests.Cluster;

/// <summary>
/// The silo is closed by default: it listens on the advertised address only (never on every interface), and a silo
/// started with another certificate than the cluster's is refused with one line, in seconds.
/// </summary>
public sealed class ClusterSiloTests
{
    [Theory]
    [InlineData("redis", "connection_string: 127.0.0.1:1")]
    [InlineData("adonet", "connection_string: Host=127.0.0.1;Port=1")]
    public void ASiloListensOnTheAdvertisedAddressOnly(string clustering, string connection)
    {
        if (Environment.GetEnvironmentVariable("EVOMERGE_CLUSTER_ADDRESS") is { Length: > 0 }) return;
        using var temp = new TempDirectory();
        string path = temp.Combine("cluster.yml");
        File.WriteAllText(path, $"clustering: {clustering}\n{connection}\nsilo_port: 23456\ngateway_port: 23457\nadvertised_address: 127.0.0.2\ninsecure: true\n");
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        ClusterSilo.Add(builder, ClusterSpec.Parse(path), "orchestrator.test", orchestrator: true);
        using var host = builder.Build();
        var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 23456), endpoints.SiloListeningEndpoint ?? new IPEndPoint(endpoints.AdvertisedIPAddress, endpoints.SiloPort));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 23457), endpoints.GatewayListeningEndpoint ?? new IPEndPoint(endpoints.AdvertisedIPAddress, endpoints.GatewayPort));
    }

    [Fact]
    public void AWorkerWithAnotherCertificateIsRefusedWithOneLine()
    {
        using var temp = new TempDirectory();
        int port = ClusterSpec.FreePort(IPAddress.Loopback);
        var orchestratorSpec = ClusterSpec.Parse(WriteSpec(temp, "cluster.yml", "cluster.pfx", port));
        var intruderSpec = ClusterSpec.Parse(WriteSpec(temp, "intruder.yml", "intruder.pfx", port));

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ApplicationName = "evomerge-test" });
        builder.Logging.ClearProviders();
        ClusterOrchestrator.Add(builder, orchestratorSpec);
        using var host = builder.Build();
        host.Start();
        var pool = host.Services.GetRequiredService<WorkerPool>();
        pool.Start();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Exception? refused = null;
        var worker = new Thread(() =>
        {
            try
            {
                WorkerHost.Run(intruderSpec, "intruder", 0, 0, null, [temp.Path]);
            }
            catch (Exception e)
            {
                refused = e;
            }
        }) { IsBackground = true };
        worker.Start();
        Assert.True(worker.Join(TimeSpan.FromSeconds(60)), "the worker with the wrong certificate was neither refused nor stopped within 60 s");
        var e = Assert.IsType<UnauthorizedAccessException>(refused);
        Assert.Equal($"worker intruder: the cluster of {intruderSpec.Source} presented a different certificate (or refused this one); not joining", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"refused only after {clock.Elapsed}");
        Assert.DoesNotContain(pool.Workers(), w => w.Name == "intruder");
    }

    /// <summary>A localhost cluster YAML with a new self-signed certificate (password in a per-test variable).</summary>
    internal static string WriteSpec(TempDirectory temp, string name, string certificate, int port)
    {
        string variable = "EVOMERGE_TEST_PFX_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, "pw-" + variable);
        using (var created = ClusterCertificate.CreateSelfSigned()) ClusterCertificate.Save(created, temp.Combine(certificate), "pw-" + variable);
        string path = temp.Combine(name);
        File.WriteAllText(path, $"clustering: localhost\nprimary: 127.0.0.1:{port}\ncertificate: {certificate}\ncertificate_password_env: {variable}\n");
        return path;
    }
}
