using System.Diagnostics.Metrics;
using System.Net;
using EvoMerge.Cluster;
using EvoMerge.Search.Configuration;
using EvoMerge.Demo;
using EvoMerge.Optimization;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// A real <see cref="WorkerPool"/> (the orchestrator's silo in this process, a real <c>evomerge worker</c> process as
/// its known worker) receives results directly: one for another session, the candidate's result, the same result
/// again and a different later one. The candidate completes once with the first result; the worker's evaluations and
/// busy time count it once; every other arrival is counted in <c>evomerge.worker.duplicates</c> and dropped.
/// </summary>
public sealed class WorkerPoolDuplicateResultTests
{
    [Fact]
    public async Task AResultThatArrivesTwiceOrForAnotherSessionIsCountedOnce()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 8);
        string configPath = Path.Combine(layout.Root, "search.yml");
        File.WriteAllText(configPath, $"""
            base_model: models/base
            models: [models/a, models/b]
            {layout.ObjectivesYaml()}
            genome:
              methods: [ties, task_arithmetic]
              layer_groups: 2
            optimizer:
              name: nsga2
              settings:
                population_size: 4
            budget:
              generations: 1
            seed: 9
            run_dir: runs/duplicates
            """);
        var config = SearchConfigReader.ReadFile(configPath);
        var setup = SearchSetup.Create(config, SearchSetup.DeriveInfo(config, layout.Root));
        var session = WorkSession.Of(setup);
        var genome = setup.Layout.Space.RandomGenome(new SearchRandom(1));
        var job = new EvaluationJob(0, 0, genome, setup.Composer.Compose(setup.Layout.Decode(genome)), null, []);

        var spec = ClusterSpec.Parse($"localhost:{ClusterSpec.FreePort(IPAddress.Loopback)}");
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ApplicationName = "evomerge-test" });
        builder.Logging.ClearProviders();
        // No ping for an hour: the worker stays "joining", so the pool never sends it the job and every result below
        // comes from this test, in this order.
        ClusterOrchestrator.Add(builder, spec, new ClusterSettings { PingIntervalSeconds = 3600 });
        using var host = builder.Build();
        host.Start();
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        var counted = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name is "evomerge.worker.duplicates" or "evomerge.worker.evaluations") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "worker" && tag.Value is "w1")
                    lock (counted) counted[instrument.Name] = counted.GetValueOrDefault(instrument.Name) + value;
        });
        listener.Start();
        long Counted(string name)
        {
            lock (counted) return counted.GetValueOrDefault(name);
        }

        var pool = host.Services.GetRequiredService<WorkerPool>();
        pool.Start();
        using var worker = ChildProcess.Start(new Dictionary<string, string>(), "worker", "--cluster", spec.Source, "--name", "w1", "--threads", "1");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!pool.Workers().Any(w => w.Name == "w1"))
        {
            Assert.True(DateTime.UtcNow < deadline && !worker.HasExited, "worker w1 never joined; stderr:\n" + worker.Stderr);
            await Task.Delay(100);
        }
        try
        {
            var evaluation = pool.Submit(session, [job]).Single();
            Assert.Equal(WorkerAvailability.Joining, pool.Workers().Single().State);
            Assert.Equal(0, pool.Workers().Single().InFlight);

            await pool.Report(Result("another-run#0", [0.9, 0.9], 5));
            Assert.False(evaluation.IsCompleted, "a result for another session completed the candidate");
            Assert.Equal(1, Counted("evomerge.worker.duplicates"));

            var first = Result(session.Id, [0.25, 0.75], 2);
            await pool.Report(first);
            Assert.True(evaluation.IsCompletedSuccessfully);
            await pool.Report(first);
            await pool.Report(Result(session.Id, [0.5, 0.5], 7));
            var result = await evaluation;

            Assert.Equal([0.25, 0.75], result.Objectives);
            Assert.Equal(job.Recipe.Hash, result.Hash);
            Assert.Equal(2, result.MaterializeSeconds + result.ScoreSeconds, 9);
            var w1 = pool.Workers().Single();
            Assert.Equal(1, w1.Evaluations);
            Assert.Equal(2, w1.BusySeconds, 9);
            Assert.Equal(0, w1.Failures);
            Assert.Equal(1, Counted("evomerge.worker.evaluations"));
            Assert.Equal(3, Counted("evomerge.worker.duplicates"));
        }
        finally
        {
            pool.Dispose();
            await host.StopAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>A result from worker w1 for candidate 0/0, with <paramref name="busySeconds"/> split between merging and scoring.</summary>
    private static CandidateResult Result(string session, double[] objectives, double busySeconds) => new()
    {
        SessionId = session,
        Generation = 0,
        Index = 0,
        Attempt = 1,
        Worker = "w1",
        Objectives = objectives,
        ItemsEvaluated = 16,
        MaterializeSeconds = busySeconds / 4,
        ScoreSeconds = busySeconds * 3 / 4,
    };
}
