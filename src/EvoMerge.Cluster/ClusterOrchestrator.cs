using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace EvoMerge.Cluster;

/// <summary>
/// Makes a host the orchestrator of a cluster run: adds its silo (named <c>orchestrator.ID</c>; with localhost
/// clustering the primary silo on the spec's port) and a <see cref="WorkerPool"/> (also the host's
/// <see cref="IWorkerStatusSource"/> for <c>/status</c>, with per-worker metrics), and gives the run a
/// <see cref="ClusterEvaluationBackend"/>.
/// </summary>
public static class ClusterOrchestrator
{
    /// <summary>Adds the orchestrator silo and the worker pool to <paramref name="builder"/>.</summary>
    public static void Add(IHostApplicationBuilder builder, ClusterSpec spec, ClusterSettings? settings = null)
    {
        ClusterSilo.Add(builder, spec, $"orchestrator.{Guid.NewGuid():N}"[..21], orchestrator: true);
        builder.Services.AddSingleton(settings ?? new ClusterSettings());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WorkerPool>();
        builder.Services.AddSingleton<IWorkerStatusSource>(sp => sp.GetRequiredService<WorkerPool>());
    }

    /// <summary>The backend factory for a run whose host was set up by <see cref="Add"/>.</summary>
    public static Func<SearchSetup, IEvaluationBackend> Backend(IServiceProvider services) =>
        setup => new ClusterEvaluationBackend(services.GetRequiredService<WorkerPool>(), setup);
}
