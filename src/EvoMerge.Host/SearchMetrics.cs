using System.Diagnostics.Metrics;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;

namespace EvoMerge.Host;

/// <summary>
/// The search's instruments on the <c>EvoMerge</c> meter, fed as an observer (counters, histograms) and read from
/// <see cref="RunProgress"/> (gauges). Names carry no units; the Prometheus exporter turns dots into underscores and
/// adds <c>_total</c>, <c>_seconds</c> and <c>_bytes</c>, giving e.g. <c>evomerge_evaluations_total{outcome}</c>,
/// <c>evomerge_item_evaluations_saved_total</c>,
/// <c>evomerge_evaluation_duration_seconds</c>, <c>evomerge_objective_best{objective}</c> and <c>evomerge_run_info</c>.
/// <c>evomerge_generation</c> counts completed generations; <c>evomerge_last_generation</c> names the last one the way the
/// logs do (numbered from 0, see <see cref="GenerationNumbering"/>).
/// </summary>
public sealed class SearchMetrics : ISearchObserver
{
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private readonly Counter<long> _evaluations;
    private readonly Histogram<double> _evaluationDuration;
    private readonly Histogram<double> _mergeDuration;
    private readonly Counter<long> _tokens;
    private readonly Counter<long> _items;
    private readonly Counter<long> _itemsSaved;
    private readonly Lock _gate = new();
    private long _sessionTokens;
    private double _sessionScoreSeconds;

    public SearchMetrics(IMeterFactory meters, RunProgress progress)
    {
        var meter = meters.Create(SearchMeter.Name, RunIdentity.ProgramVersion);
        _evaluations = meter.CreateCounter<long>("evomerge.evaluations", null,
            "Candidates evaluated, by outcome: ok (scored, feasible), infeasible (violates a constraint), screened (stopped early by racing or cheap-first scoring), failed, cached (fitness cache hit)");
        _evaluationDuration = meter.CreateHistogram("evomerge.evaluation.duration", "s", "Seconds to materialise and score one candidate (cache hits excluded)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _mergeDuration = meter.CreateHistogram("evomerge.merge.duration", "s", "Seconds to materialise (merge) one candidate's weights",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _tokens = meter.CreateCounter<long>("evomerge.tokens.scored", null, "Tokens read by the model to score candidates");
        _items = meter.CreateCounter<long>("evomerge.item_evaluations", null, "Item evaluations done to score candidates (items x tasks; cache hits excluded)");
        _itemsSaved = meter.CreateCounter<long>("evomerge.item_evaluations.saved", null,
            "Item evaluations saved by stopping candidates early (racing or cheap-first scoring): the items a stopped candidate did not score");
        meter.CreateObservableGauge("evomerge.tokens_per_second", () => TokensPerSecond(), null, "Scoring throughput this session: tokens scored per second of scoring");
        meter.CreateObservableGauge("evomerge.generation", () => (long)(progress.Snapshot()?.Generation ?? 0), null, "Completed generations (a count, as /status generation)");
        meter.CreateObservableGauge("evomerge.last_generation", () => Optional(progress.Snapshot()?.LastGeneration), null,
            "The last completed generation, numbered from 0 as in the logs and /status last_generation (absent before the first completes)");
        meter.CreateObservableGauge("evomerge.evaluations.budget", () => Optional(progress.Snapshot()?.EvaluationsBudget), null, "The evaluation budget (absent when the budget has none)");
        meter.CreateObservableGauge("evomerge.generations.budget", () => Optional(progress.Snapshot()?.GenerationsBudget), null, "The generation budget (absent when the budget has none)");
        meter.CreateObservableGauge("evomerge.archive.size", () => (long)(progress.Snapshot()?.ArchiveSize ?? 0), null, "Members of the Pareto archive");
        meter.CreateObservableGauge("evomerge.hypervolume", () => progress.Snapshot()?.Hypervolume ?? 0, null, "Hypervolume of the archive's feasible members (minimised objectives)");
        meter.CreateObservableGauge("evomerge.objective.best", () => Best(progress), null, "Best feasible archive value of each objective, in its own direction");
        meter.CreateObservableGauge("evomerge.eta", () => Eta(progress), "s", "Estimated seconds until the budget is reached");
        meter.CreateObservableGauge("evomerge.process.memory.resident", () => Environment.WorkingSet, "By", "Resident memory of the search process");
        meter.CreateObservableGauge("evomerge.managed.heap.size", () => GC.GetTotalMemory(false), "By", "Bytes allocated on the managed heap");
        meter.CreateObservableGauge("evomerge.run.info", () => Info(progress), null, "Always 1, labelled with the run id, config hash and version");
    }

    public void GenerationStarted(int generation, int candidates)
    {
    }

    public void EvaluationFinished(EvaluationRecord record)
    {
        _evaluations.Add(1, new KeyValuePair<string, object?>("outcome", Outcome(record)));
        if (record.Cached) return;
        _evaluationDuration.Record(record.MaterializeSeconds + record.ScoreSeconds);
        if (record.MaterializeSeconds > 0) _mergeDuration.Record(record.MaterializeSeconds);
        if (record.TokensScored > 0) _tokens.Add(record.TokensScored);
        if (record.ItemsEvaluated > 0) _items.Add(record.ItemsEvaluated);
        if (record.ItemsSaved > 0) _itemsSaved.Add(record.ItemsSaved);
        lock (_gate)
        {
            _sessionTokens += record.TokensScored;
            _sessionScoreSeconds += record.ScoreSeconds;
        }
    }

    public void GenerationFinished(GenerationStatistics statistics)
    {
    }

    /// <summary>The outcome label of an evaluation.</summary>
    public static string Outcome(EvaluationRecord record) => record switch
    {
        { Cached: true } => "cached",
        { Status: EvaluationStatus.Failed } => "failed",
        { Status: EvaluationStatus.Screened } => "screened",
        { ConstraintViolation: > 0 } => "infeasible",
        _ => "ok",
    };

    private double TokensPerSecond()
    {
        lock (_gate) return _sessionScoreSeconds > 0 ? _sessionTokens / _sessionScoreSeconds : 0;
    }

    private static IEnumerable<Measurement<long>> Optional(int? value) => value is { } v ? [new Measurement<long>(v)] : [];

    private static IEnumerable<Measurement<double>> Best(RunProgress progress) =>
        progress.Snapshot() is { } status
            ? status.Best.Where(b => b.Value is not null).Select(b => new Measurement<double>(b.Value!.Value, new KeyValuePair<string, object?>("objective", b.Key)))
            : [];

    private static IEnumerable<Measurement<double>> Eta(RunProgress progress) =>
        progress.Snapshot()?.EtaSeconds is { } eta ? [new Measurement<double>(eta)] : [];

    private static IEnumerable<Measurement<long>> Info(RunProgress progress) =>
        progress.Identity is { } id
            ? [new Measurement<long>(1, new("run_id", id.RunId), new("config_hash", id.ConfigHash), new("version", id.Version))]
            : [];
}
