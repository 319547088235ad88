using System.Diagnostics.Metrics;
using EvoMerge.Search.Monitoring;

namespace EvoMerge.Cluster;

/// <summary>
/// Per-worker instruments on the <c>EvoMerge</c> meter (the host's Prometheus endpoint exports them):
/// <c>evomerge_worker_evaluations_total{worker}</c>, <c>evomerge_worker_busy_seconds_total{worker}</c> (merging and
/// scoring), <c>evomerge_worker_failures_total{worker}</c> (candidates lost or refused; each re-queued),
/// <c>evomerge_worker_duplicates_total{worker}</c> (results for candidates already evaluated, dropped),
/// <c>evomerge_worker_in_flight{worker}</c> and <c>evomerge_workers{state}</c>.
/// </summary>
public sealed class WorkerMetrics
{
    private readonly Counter<long> _evaluations;
    private readonly Counter<double> _busy;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _duplicates;

    public WorkerMetrics(IMeterFactory meters, IWorkerStatusSource workers)
    {
        var meter = meters.Create(SearchMeter.Name, RunIdentity.ProgramVersion);
        _evaluations = meter.CreateCounter<long>("evomerge.worker.evaluations", null, "Candidate results accepted from each worker");
        _busy = meter.CreateCounter<double>("evomerge.worker.busy", "s", "Seconds each worker spent merging and scoring accepted candidates");
        _failures = meter.CreateCounter<long>("evomerge.worker.failures", null, "Candidates each worker lost (left, stopped answering) or could not evaluate; each is re-queued");
        _duplicates = meter.CreateCounter<long>("evomerge.worker.duplicates", null, "Results for candidates already evaluated (counted once, dropped)");
        meter.CreateObservableGauge("evomerge.worker.in_flight", () => workers.Workers().Select(w => new Measurement<long>(w.InFlight, new KeyValuePair<string, object?>("worker", w.Name))),
            null, "Candidates sent to each worker and not answered yet");
        meter.CreateObservableGauge("evomerge.workers", () => workers.Workers().GroupBy(w => w.State).Select(g => new Measurement<long>(g.Count(), new KeyValuePair<string, object?>("state", g.Key.Text()))),
            null, "Workers seen during the run, by state (active, unusable, lost)");
    }

    public void Evaluated(string worker, double busySeconds)
    {
        var tag = new KeyValuePair<string, object?>("worker", worker);
        _evaluations.Add(1, tag);
        _busy.Add(busySeconds, tag);
    }

    public void Failed(string worker, int candidates) => _failures.Add(candidates, new KeyValuePair<string, object?>("worker", worker));

    public void Duplicate(string worker) => _duplicates.Add(1, new KeyValuePair<string, object?>("worker", worker));
}
