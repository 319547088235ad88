using EvoMerge.Cluster;
using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// The cluster is closed by default, through the built CLI: a cluster file without a certificate is refused unless it
/// says <c>insecure: true</c>; with an orchestrator on a certificate, a worker started with another certificate exits 1
/// with one line and never joins, and a worker with the cluster's certificate evaluates the whole search.
/// </summary>
public sealed class ClusterAuthenticationTests
{
    [Fact]
    public void AClusterFileWithoutACertificateIsRefused()
    {
        using var temp = new TempDirectory();
        string spec = temp.Combine("open.yml");
        File.WriteAllText(spec, "clustering: localhost\nprimary: 127.0.0.1:11999\n");
        using var worker = ChildProcess.Start(new Dictionary<string, string>(), "worker", "--cluster", spec, "--name", "w1");
        Assert.True(worker.WaitForExit(TimeSpan.FromMinutes(1)), worker.Stderr);
        Assert.Equal(1, worker.ExitCode);
        Assert.Equal($"evomerge: error: {spec}: certificate: required (a .pfx file every silo shares, see README \"Cluster\"), or set insecure: true to let any host that reaches the ports join",
            worker.Stderr.Trim());
    }

    [Fact]
    public void AWorkerWithAnotherCertificateIsRefusedAndOneWithTheClustersCertificateWorks()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 8);
        string config = Path.Combine(layout.Root, "search.yml");
        File.WriteAllText(config, $"{layout.SearchYaml(4)}budget:\n  generations: 2\nseed: 5\nrun_dir: runs/closed\n");
        int siloPort = LoopbackHttp.FreePort(), metricsPort = LoopbackHttp.FreePort();
        string cluster = Spec(temp, "cluster", siloPort), intruderSpec = Spec(temp, "intruder", siloPort);
        var environment = new Dictionary<string, string>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var orchestrator = ChildProcess.Start(environment, "search", config, "--cluster", cluster, "--metrics-url", $"http://127.0.0.1:{metricsPort}", "--progress", "log");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (LoopbackHttp.Get(http, $"http://127.0.0.1:{metricsPort}/healthz") is null)
        {
            Assert.True(DateTime.UtcNow < deadline && !orchestrator.HasExited, "the orchestrator never served /healthz; stderr:\n" + orchestrator.Stderr);
            Thread.Sleep(100);
        }

        using (var intruder = ChildProcess.Start(environment, "worker", "--cluster", intruderSpec, "--name", "intruder", "--allow-path", layout.Root))
        {
            Assert.True(intruder.WaitForExit(TimeSpan.FromMinutes(1)), "the intruder was neither refused nor stopped; stderr:\n" + intruder.Stderr);
            Assert.Equal(1, intruder.ExitCode);
            var errors = intruder.Stderr.Split('\n').Where(l => l.StartsWith("evomerge: error: ", StringComparison.Ordinal)).ToList();
            Assert.Equal([$"evomerge: error: worker intruder: the cluster of {intruderSpec} presented a different certificate (or refused this one); not joining"], errors);
            Assert.False(intruder.Stderr.Contains("   at ", StringComparison.Ordinal), "a stack trace:\n" + intruder.Stderr);
        }

        using var worker = ChildProcess.Start(environment, "worker", "--cluster", cluster, "--name", "w1", "--threads", "1", "--allow-path", layout.Root);
        Assert.True(orchestrator.WaitForExit(TimeSpan.FromMinutes(4)), "the run did not finish; stderr:\n" + orchestrator.Stderr + "\nworker:\n" + worker.Stderr);
        Assert.True(orchestrator.ExitCode == 0, orchestrator.Stderr);
        Assert.Contains("worker w1 joined", orchestrator.Stderr, StringComparison.Ordinal);
        Assert.Contains("(Localhost membership, mutual TLS)", orchestrator.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("intruder", orchestrator.Stderr, StringComparison.Ordinal);
        Assert.Equal(2 * 4, ClusterSearchTests.Rows(Path.Combine(layout.Root, "runs", "closed")).Count);
    }

    /// <summary>A localhost cluster file <c>NAME.yml</c> with its own new certificate <c>NAME.pfx</c> (no password).</summary>
    private static string Spec(TempDirectory temp, string name, int port)
    {
        using (var certificate = ClusterCertificate.CreateSelfSigned()) ClusterCertificate.Save(certificate, temp.Combine(name + ".pfx"));
        string path = temp.Combine(name + ".yml");
        File.WriteAllText(path, $"clustering: localhost\nprimary: 127.0.0.1:{port}\ncertificate: {name}.pfx\n");
        return path;
    }
}
