using EvoMerge.Demo;
using Xunit;
using Xunit.Abstractions;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// The cluster search with Redis membership: a real redis-server child process, an orchestrator and two worker
/// processes (one started before the orchestrator) find each other through it. The run must give the single-process
/// run's archive, population, checkpoint and evaluation log. Runs only where redis-server is on PATH.
/// </summary>
public sealed class RedisClusterSearchTests(ITestOutputHelper output)
{
    private const int Generations = 5, Population = 6;

    [RedisServerFact]
    public void AnOrchestratorAndTwoWorkersWithRedisMembershipGiveTheSingleProcessArchive()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path);
        string config = Path.Combine(layout.Root, "search.yml");
        File.WriteAllText(config, $"""
            {layout.SearchYaml(Population)}
            evaluation:
              cheap_first:
                fraction: 0.5
                confidence: 0.9
            budget:
              generations: {Generations}
            seed: 3
            run_dir: runs/single
            """);
        string single = temp.Combine("runs", "single"), cluster = temp.Combine("runs", "cluster");
        var reference = CliRunner.Run(TimeSpan.FromMinutes(3), "search", config, "--metrics-url", "http://127.0.0.1:0", "--progress", "none");
        Assert.True(reference.ExitCode == 0, reference.Stderr);

        using var redis = RedisServer.Start(temp.Combine("redis"), LoopbackHttp.FreePort());
        string clusterId = "evomerge-test-" + Guid.NewGuid().ToString("N")[..8];
        string spec = temp.Combine("redis.yml");
        File.WriteAllText(spec, $"""
            clustering: redis
            connection_string: "127.0.0.1:{redis.Port}"
            cluster_id: {clusterId}
            service_id: evomerge
            silo_port: {LoopbackHttp.FreePort()}
            advertised_address: 127.0.0.1
            certificate: cluster.pfx
            """);
        using (var certificate = EvoMerge.Cluster.ClusterCertificate.CreateSelfSigned()) EvoMerge.Cluster.ClusterCertificate.Save(certificate, temp.Combine("cluster.pfx"));
        var environment = new Dictionary<string, string>();
        ChildProcess? first = null, second = null;
        try
        {
            // With a membership store, a worker may start before the orchestrator.
            first = ChildProcess.Start(environment, "worker", "--cluster", spec, "--name", "w1", "--threads", "1", "--allow-path", layout.Root);
            Assert.True(first.WaitForLine("joined the cluster", TimeSpan.FromMinutes(1)), "w1 never joined; stderr:\n" + first.Stderr);
            using var orchestrator = ChildProcess.Start(environment, "search", config, "--run-dir", cluster, "--cluster", spec, "--metrics-url", "http://127.0.0.1:0", "--progress", "none");
            second = ChildProcess.Start(environment, "worker", "--cluster", spec, "--name", "w2", "--threads", "1", "--allow-path", layout.Root);
            Assert.True(orchestrator.WaitForExit(TimeSpan.FromMinutes(3)), "the cluster run did not finish; stderr:\n" + orchestrator.Stderr);
            output.WriteLine(orchestrator.Stderr);
            Assert.True(orchestrator.ExitCode == 0, orchestrator.Stderr);
            Assert.Contains("(Redis membership, mutual TLS)", orchestrator.Stderr);
            Assert.Contains("worker w1 joined", orchestrator.Stderr);
            Assert.Contains("worker w2 joined", orchestrator.Stderr);
            var evaluations = orchestrator.Stderr.Split('\n')
                .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"worker (w[12]): (\d+) evaluations")).Where(m => m.Success)
                .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(evaluations.GetValueOrDefault("w1") > 0 && evaluations.GetValueOrDefault("w2") > 0, orchestrator.Stderr);
            Assert.True(evaluations.Values.Sum() <= Generations * Population, orchestrator.Stderr);

            // The membership table lives in this Redis: the orchestrator's and both workers' silos are in it.
            var members = redis.Command("HVALS", $"evomerge/members/{clusterId}");
            foreach (string silo in new[] { "\"SiloName\":\"worker.w1\"", "\"SiloName\":\"worker.w2\"", "\"SiloName\":\"orchestrator." })
                Assert.Contains(members, m => m.Contains(silo, StringComparison.Ordinal));
        }
        finally
        {
            foreach (var worker in new[] { first, second }) worker?.Dispose();
        }

        Assert.Equal(File.ReadAllText(Path.Combine(single, "archive.json")), File.ReadAllText(Path.Combine(cluster, "archive.json")));
        Assert.Equal(File.ReadAllText(Path.Combine(single, "population.json")), File.ReadAllText(Path.Combine(cluster, "population.json")));
        Assert.Equal(ClusterSearchTests.WithoutTimings(Path.Combine(single, "checkpoint.json")), ClusterSearchTests.WithoutTimings(Path.Combine(cluster, "checkpoint.json")));
        var expected = ClusterSearchTests.Rows(single);
        Assert.Equal(Generations * Population, expected.Count);
        Assert.Equal(expected, ClusterSearchTests.Rows(cluster));
    }
}
