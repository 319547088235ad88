using static EvoMerge.IntegrationTests.LoopbackHttp;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// A cluster search on 127.0.0.1 through the built CLI: the orchestrator child process (<c>search --cluster</c> on a
/// free silo port, serving <c>/healthz</c>, <c>/status</c> and <c>/metrics</c> on a free port) and the worker processes
/// started against it; every process it started is ended on dispose.
/// </summary>
internal sealed class LocalCluster(IReadOnlyDictionary<string, string> environment, string allowPath, string spec, string url, ChildProcess orchestrator)
    : IDisposable
{
    /// <summary>How long a wait for the orchestrator may take.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly List<ChildProcess> _workers = [];

    /// <summary>The <c>--cluster</c> argument: <c>localhost:PORT</c> of the orchestrator's silo.</summary>
    public string Spec { get; } = spec;

    /// <summary>The orchestrator's metrics URL, <c>http://127.0.0.1:PORT</c>.</summary>
    public string Url { get; } = url;

    /// <summary>The orchestrator process.</summary>
    public ChildProcess Orchestrator { get; } = orchestrator;

    /// <summary>A client for <see cref="Url"/> (10 s per request).</summary>
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// Starts <c>search CONFIG --run-dir RUN --cluster … --metrics-url … --progress log</c> and returns once it serves
    /// <c>/healthz</c>, with <paramref name="arguments"/> added; workers get <c>--allow-path <paramref name="allowPath"/></c>.
    /// </summary>
    public static LocalCluster Start(string config, string runDirectory, string allowPath, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        string spec = $"localhost:{FreePort()}", url = $"http://127.0.0.1:{FreePort()}";
        var cluster = new LocalCluster(environment, allowPath, spec, url,
            ChildProcess.Start(environment, ["search", config, "--run-dir", runDirectory, "--cluster", spec, "--metrics-url", url, "--progress", "log", .. arguments]));
        try
        {
            cluster.Wait(() => Get(cluster.Http, url + "/healthz") is not null, "the orchestrator never served /healthz");
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
        return cluster;
    }

    /// <summary>Starts <c>worker --cluster … --name <paramref name="name"/></c>.</summary>
    public ChildProcess StartWorker(string name)
    {
        var worker = ChildProcess.Start(environment, "worker", "--cluster", Spec, "--name", name, "--allow-path", allowPath);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; throws with the orchestrator's stderr when it exits or <see cref="Patience"/> runs out.</summary>
    public void Wait(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return;
            if (Orchestrator.HasExited) break;
            Thread.Sleep(50);
        }
        throw new InvalidOperationException($"{failure}; stderr:\n{Orchestrator.Stderr}");
    }

    public void Dispose()
    {
        foreach (var worker in _workers) worker.Dispose();
        Orchestrator.Dispose();
        Http.Dispose();
    }
}
