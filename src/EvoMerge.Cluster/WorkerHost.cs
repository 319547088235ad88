using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using TorchSharp;

namespace EvoMerge.Cluster;

/// <summary>
/// <c>evomerge worker</c>: a worker silo that joins the cluster and evaluates the candidates orchestrators send it
/// (loading each run's sources once) until it is stopped (Ctrl+C, SIGTERM). Exit code 0 after a stop.
/// </summary>
public static class WorkerHost
{
    /// <summary>Runs a worker named <paramref name="name"/> until stopped.</summary>
    /// <param name="spec">The cluster to join.</param>
    /// <param name="name">The worker's name (unique in the cluster; a restarted worker keeps its name).</param>
    /// <param name="port">Silo port (0: a free one).</param>
    /// <param name="threads">Torch intra-op threads (0: torch's default).</param>
    /// <param name="configDirectory">Where this machine resolves the configs' relative paths (null: as the orchestrator does).</param>
    /// <param name="allowedPaths">Directories the worker may open models and data under (with <paramref name="configDirectory"/>; none: it opens nothing).</param>
    public static int Run(ClusterSpec spec, string name, int port, int threads, string? configDirectory, IReadOnlyList<string> allowedPaths)
    {
        if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c) || c == '/')) throw new ArgumentException($"--name '{name}': a worker name needs at least one character and no spaces or '/'");
        if (threads > 0) torch.set_num_threads(threads);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ApplicationName = "evomerge-worker" });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        bool abandoned = false;
        builder.Logging.AddFilter("Microsoft", level => level >= LogLevel.Warning && !Volatile.Read(ref abandoned));
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        var files = new WorkerFileAccess(configDirectory is null ? allowedPaths : allowedPaths.Append(configDirectory));
        builder.Services.AddSingleton(sp => new WorkerEvaluationQueue(name, configDirectory, files, sp.GetRequiredService<ILogger<WorkerEvaluationQueue>>()));
        ClusterSilo.Add(builder, spec, WorkerPlacementDirector.SiloName(name), orchestrator: false, port, () => Volatile.Read(ref abandoned));
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EvoMerge.Cluster.WorkerHost");
        Start(host, spec, name, () => Volatile.Write(ref abandoned, true));
        if (spec.Insecure) logger.LogWarning("worker {Name}: cluster {Source} is insecure (no certificate): any host that reaches its ports can join and drive this worker", name, spec.Source);
        if (files.Roots.Count == 0) logger.LogWarning("worker {Name}: no --allow-path given: it refuses every model and data path", name);
        logger.LogInformation("worker {Name} joined the cluster ({Source}); torch threads {Threads}", name, spec.Source, torch.get_num_threads());
        host.WaitForShutdown();
        logger.LogInformation("worker {Name} stopped after {Count} evaluations", name, host.Services.GetRequiredService<WorkerEvaluationQueue>().Evaluated);
        return 0;
    }

    /// <summary>
    /// Starts the silo; a peer with another certificate ends the start at once with one line (after
    /// <paramref name="abandon"/>, which silences the cancelled start's own errors).
    /// </summary>
    private static void Start(IHost host, ClusterSpec spec, string name, Action abandon)
    {
        if (host.Services.GetService<ClusterPeerCertificate>() is not { } peers)
        {
            host.Start();
            return;
        }
        var stop = new CancellationTokenSource();
        using var refused = peers.Refused.Register(() =>
        {
            abandon();
            stop.Cancel();
        });
        var started = host.StartAsync(stop.Token);
        _ = started.ContinueWith(_ => stop.Dispose(), TaskScheduler.Default);
        try
        {
            Task.WaitAny(started, Task.Delay(Timeout.Infinite, stop.Token));
            if (peers.Refusals == 0) started.GetAwaiter().GetResult();
        }
        catch (Exception) when (peers.Refusals > 0)
        {
        }
        if (peers.Refusals > 0)
            throw new UnauthorizedAccessException($"worker {name}: the cluster of {spec.Source} presented a different certificate (or refused this one); not joining");
    }
}
