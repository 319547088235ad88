using System.Diagnostics;
using System.Globalization;
using EvoMerge.Cluster;
using EvoMerge.Demo;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace EvoMerge.Benchmarks;

/// <summary>
/// The measurement behind <c>evomerge bench cluster</c>: the same small search on the tiny specialist models, once in
/// this process (the reference) and once per worker count with an in-process orchestrator silo and that many local
/// worker processes on 127.0.0.1. Prints evaluations per minute and the orchestration overhead: the fraction of the workers' wall time
/// not spent merging or scoring (1 − busy / (workers × wall)); the first generation (sources loading) is a warm-up and
/// not counted. Also checks each cluster run's archive equals the reference's. Writes one line per run to the writer it
/// is given; the workers are the processes <c>workerProcess</c> describes (their output is discarded).
/// </summary>
/// <param name="output">Where the measured lines go.</param>
/// <param name="workerProcess">A worker process joining the cluster at the given address under the given name (the benchmark appends <c>--allow-path</c> with its models' directory).</param>
public sealed class ClusterBenchmark(TextWriter output, Func<string, string, ProcessStartInfo> workerProcess)
{
    private sealed record Measured(string Setup, int Evaluations, double Wall, double Busy, int Workers, string Archive);

    /// <summary>Writes the tiny specialists, runs the reference and one cluster run per worker count, removes everything.</summary>
    /// <param name="workerCounts">Worker counts to run.</param>
    /// <param name="generations">Generations per run (at least 2; the first is a warm-up).</param>
    /// <param name="population">NSGA-II population size.</param>
    /// <param name="items">Items per tiny task.</param>
    /// <param name="threads">Torch threads of the reference (and, by the worker processes given, of each worker).</param>
    public void Run(int[] workerCounts, int generations, int population, int items, int threads)
    {
        if (generations < 2) throw new ArgumentException("--generations: at least 2 (the first is a warm-up)");
        string root = Path.Combine(Path.GetTempPath(), "evomerge-bench-cluster-" + Environment.ProcessId);
        try
        {
            var layout = TinySpecialists.Write(root, items);
            string configPath = Path.Combine(root, "search.yml");
            File.WriteAllText(configPath, $"""
                {layout.SearchYaml(population)}
                budget:
                  generations: {generations}
                seed: 5
                run_dir: runs/reference
                """);
            var config = SearchConfigReader.ReadFile(configPath);
            if (threads > 0) torch.set_num_threads(threads);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cluster bench: tiny specialists ({items} items per task), NSGA-II population {population}, {generations} generations (the first a warm-up, not counted), torch threads {threads} per process, {Environment.ProcessorCount} cores (shared with whatever else runs here)"));
            var results = new List<Measured>();
            using (var run = SearchRun.Start(config with { RunDirectory = Path.Combine(root, "runs", "reference") })) results.Add(Measure("single process", run, 1));
            Print(results[0], results[0].Archive);
            foreach (int count in workerCounts)
            {
                var measured = RunCluster(config with { RunDirectory = Path.Combine(root, "runs", $"cluster-{count}") }, count);
                results.Add(measured);
                Print(measured, results[0].Archive);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static Measured Measure(string setup, SearchRun run, int workers)
    {
        run.RunGeneration();
        double wall = 0, busy = 0;
        int evaluations = 0;
        while (!run.BudgetReached)
        {
            var clock = Stopwatch.StartNew();
            var statistics = run.RunGeneration();
            wall += clock.Elapsed.TotalSeconds;
            busy += statistics.MaterializeSeconds + statistics.ScoreSeconds;
            evaluations += statistics.Scored;
        }
        return new Measured(setup, evaluations, wall, busy, workers, run.ArchiveJson());
    }

    private Measured RunCluster(SearchConfig config, int count)
    {
        var spec = ClusterSpec.Parse($"localhost:{ClusterSpec.FreePort(System.Net.IPAddress.Loopback)}");
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ApplicationName = "evomerge-bench" });
        builder.Logging.ClearProviders(); // the cluster's own logs are not benchmark output; failures still throw
        ClusterOrchestrator.Add(builder, spec);
        using var host = builder.Build();
        host.Start();
        var workers = new List<Process>();
        try
        {
            for (int k = 0; k < count; k++) workers.Add(StartWorker(spec.Source, $"bench-{k + 1}", Path.GetDirectoryName(config.File)!));
            var pool = host.Services.GetRequiredService<WorkerPool>();
            pool.Start();
            var waiting = Stopwatch.StartNew();
            while (pool.Workers().Count(w => w.State == WorkerAvailability.Active) < count)
            {
                if (waiting.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException($"only {pool.Workers().Count(w => w.State == WorkerAvailability.Active)} of {count} workers joined within 3 minutes");
                if (workers.FirstOrDefault(w => w.HasExited) is { } exited) throw new InvalidOperationException($"a worker exited with code {exited.ExitCode}");
                Thread.Sleep(200);
            }
            using var run = SearchRun.Start(config, backend: ClusterOrchestrator.Backend(host.Services));
            return Measure(count == 1 ? "1 worker" : $"{count} workers", run, count);
        }
        finally
        {
            host.Services.GetRequiredService<WorkerPool>().Dispose();
            host.StopAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            foreach (var worker in workers)
            {
                if (!worker.HasExited) worker.Kill(entireProcessTree: true);
                worker.WaitForExit();
                worker.Dispose();
            }
        }
    }

    /// <summary>Starts the worker process <c>workerProcess</c> describes, with its output discarded.</summary>
    private Process StartWorker(string cluster, string name, string allowed)
    {
        var info = workerProcess(cluster, name);
        info.ArgumentList.Add("--allow-path");
        info.ArgumentList.Add(allowed);
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Print(Measured m, string reference)
    {
        double perMinute = m.Evaluations / m.Wall * 60;
        double overhead = 1 - m.Busy / (m.Workers * m.Wall);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{m.Setup,-16} {m.Evaluations,5} evaluations in {m.Wall,7:F2} s: {perMinute,8:F1} evaluations/min; merging+scoring {m.Busy,7:F2} s; orchestration overhead {overhead,6:P1}; archive {(m.Archive == reference ? "identical to the single-process run" : "DIFFERS from the single-process run")}"));
    }
}
