using System.Diagnostics.Metrics;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Sweeps;

namespace EvoMerge.Host;

/// <summary>
/// A hosted sweep's instruments on the <c>EvoMerge</c> meter (read from <see cref="SweepRun.Progress"/> at each
/// scrape). In Prometheus: <c>evomerge_sweep_points_done</c> and <c>evomerge_sweep_points_planned</c> (the checkpoint's
/// points count as done), <c>evomerge_sweep_best_dev_score</c> (absent before a point scored),
/// <c>evomerge_evaluations_total{outcome}</c> as a search counts them (ok, failed, cached: this session's points; a
/// resume's checkpointed points are not evaluations), <c>evomerge_process_memory_resident_bytes</c> and
/// <c>evomerge_run_info{run_id, config_hash, version}</c>.
/// </summary>
public sealed class SweepMetrics
{
    public SweepMetrics(IMeterFactory meters, HostedSweep sweep)
    {
        var meter = meters.Create(SearchMeter.Name, RunIdentity.ProgramVersion);
        meter.CreateObservableGauge("evomerge.sweep.points.done", () => (long)sweep.Run.Progress.Done, null, "Sweep points done (from the checkpoint, the score cache or evaluated)");
        meter.CreateObservableGauge("evomerge.sweep.points.planned", () => (long)sweep.Run.Progress.Total, null, "Sweep points in the sweep (grid, path, greedy-soup ingredients and tries)");
        meter.CreateObservableGauge("evomerge.sweep.best.dev_score", () => Best(sweep), null, "The best dev score of the sweep's points so far");
        meter.CreateObservableCounter("evomerge.evaluations", () => Evaluations(sweep.Run.Progress), null,
            "Sweep points obtained in this session, by outcome: ok (built and scored), failed, cached (score cache hit)");
        meter.CreateObservableGauge("evomerge.process.memory.resident", () => Environment.WorkingSet, "By", "Resident memory of the sweep process");
        meter.CreateObservableGauge("evomerge.run.info", () => Info(sweep), null, "Always 1, labelled with the run id, config hash and version");
    }

    private static IEnumerable<Measurement<double>> Best(HostedSweep sweep) =>
        sweep.Run.Progress.Best is { } best ? [new Measurement<double>(best.Score)] : [];

    private static IEnumerable<Measurement<long>> Evaluations(SweepProgress progress) =>
    [
        new(progress.Evaluated - progress.Failed, new KeyValuePair<string, object?>("outcome", "ok")),
        new(progress.Failed, new KeyValuePair<string, object?>("outcome", "failed")),
        new(progress.Cached, new KeyValuePair<string, object?>("outcome", "cached")),
    ];

    private static IEnumerable<Measurement<long>> Info(HostedSweep sweep) =>
        sweep.Identity is { } id
            ? [new Measurement<long>(1, new("run_id", id.RunId), new("config_hash", id.ConfigHash), new("version", id.Version))]
            : [];
}
