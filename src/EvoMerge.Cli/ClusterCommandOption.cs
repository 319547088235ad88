using System.CommandLine;
using EvoMerge.Cluster;
using EvoMerge.Host;
using EvoMerge.Search.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace EvoMerge.Cli;

/// <summary>
/// <c>--cluster SPEC</c> of <c>search</c> and <c>resume</c>: makes the hosted search the orchestrator of a cluster
/// whose workers (<c>evomerge worker --cluster SPEC</c>) evaluate the candidates.
/// </summary>
public sealed class ClusterCommandOption
{
    private readonly Option<string?> _cluster = new("--cluster") { Description = "Evaluate candidates on Orleans workers: localhost[:PORT] (one machine, this process's silo on PORT, default 11111) or a cluster YAML file (redis or adonet membership, see deploy/cluster/)." };
    private readonly Option<int> _inFlight = new("--worker-in-flight") { Description = "Candidates sent to one worker and not answered yet, at most (default 2: one running, one queued).", DefaultValueFactory = _ => 2 };
    private readonly Option<int> _minWorkers = new("--min-workers") { Description = "Send no candidate before this many workers are active at once (default 1).", DefaultValueFactory = _ => 1 };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_cluster);
        command.Options.Add(_inFlight);
        command.Options.Add(_minWorkers);
    }

    /// <summary>
    /// Runs the hosted search (live progress on <see cref="TerminalProgress"/>), as a cluster orchestrator when
    /// <c>--cluster</c> was given (then the workers' summary is logged at the end).
    /// </summary>
    public int RunHosted(ParseResult parse, Func<ISearchObserver, Func<SearchSetup, IEvaluationBackend>?, SearchRun> open, Func<SearchRun, string> startMessage,
        IReadOnlyDictionary<string, string?> overrides, Action<SearchRun> finished)
    {
        if (parse.GetValue(_cluster) is not { } value) return SearchHost.Run(observer => open(observer, null), startMessage, overrides, finished, new TerminalProgress());
        var spec = ClusterSpec.Parse(value);
        int inFlight = parse.GetValue(_inFlight), minWorkers = parse.GetValue(_minWorkers);
        if (inFlight < 1 || minWorkers < 1) throw new ArgumentException(inFlight < 1 ? $"--worker-in-flight {inFlight}: must be at least 1" : $"--min-workers {minWorkers}: must be at least 1");
        WorkerPool? pool = null;
        return SearchHost.Run(
            (observer, services) =>
            {
                pool = services.GetRequiredService<WorkerPool>();
                return open(observer, ClusterOrchestrator.Backend(services));
            },
            run => $"{startMessage(run)}; orchestrating cluster {spec.Source} ({spec.Kind} membership, {(spec.Insecure ? "INSECURE: no certificate, any host that reaches the ports can join" : "mutual TLS")}), up to {inFlight} candidate(s) in flight per worker{(minWorkers > 1 ? $", none before {minWorkers} workers are active" : "")}",
            overrides,
            run =>
            {
                foreach (string line in pool?.Summary() ?? []) Console.Error.WriteLine(line);
                finished(run);
            },
            builder => ClusterOrchestrator.Add(builder, spec, new ClusterSettings { MaxInFlightPerWorker = inFlight, MinWorkers = minWorkers }),
            new TerminalProgress());
    }
}
