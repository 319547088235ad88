using System.Diagnostics.Metrics;
using EvoMerge.Evaluation;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using Microsoft.Extensions.Logging;

namespace EvoMerge.Cluster;

/// <summary>
/// The orchestrator's view of its workers and of the candidates they evaluate. Workers are the cluster's silos named
/// <c>worker.NAME</c>: they join and leave through cluster membership (a restarted worker is a new member with the
/// same name and gets work again); a joining worker takes work once it answers a ping. Candidates wait in a queue and go to the active worker with the least work, at most
/// <see cref="ClusterSettings.MaxInFlightPerWorker"/> each (none before <see cref="ClusterSettings.MinWorkers"/> are active at once), and a second one only while every active worker could
/// still get one (<see cref="WorkerDispatch"/>). A worker that leaves the cluster, stops answering pings
/// (then it is also reported dead to the membership), cannot be sent work or reports an error has its candidates
/// re-queued with the reason; a candidate lost <see cref="ClusterSettings.MaxAttempts"/> times is recorded as failed
/// with every reason. The first result for a candidate wins; later ones are counted as duplicates and dropped.
/// Each worker's availability follows <see cref="WorkerLiveness"/>; every time rule reads the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class WorkerPool : IWorkerStatusSource, IEvaluationReceiver, IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly IClusterMembershipService _membership;
    private readonly ILogger _logger;
    private readonly ClusterSettings _settings;
    private readonly TimeProvider _clock;
    private readonly WorkerMetrics? _metrics;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Worker> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly LinkedList<Job> _pending = new();
    private readonly CancellationTokenSource _stopping = new();
    private IEvaluationReceiver? _receiver;
    private Task? _watch;
    private Task? _monitor;
    private string? _session;
    private DateTimeOffset _lastWaitingLog = DateTimeOffset.MinValue;
    private bool _quorum;
    private int _disposed;

    public WorkerPool(IGrainFactory grains, IClusterMembershipService membership, ILogger<WorkerPool> logger, ClusterSettings settings, TimeProvider clock,
        IMeterFactory? meters = null)
    {
        _grains = grains;
        _membership = membership;
        _logger = logger;
        _settings = settings;
        _clock = clock;
        if (meters is not null) _metrics = new WorkerMetrics(meters, this);
    }

    private sealed class Worker(string name, SiloAddress silo, IWorkerGrain grain, TimeProvider clock)
    {
        public string Name { get; } = name;
        public SiloAddress Silo { get; } = silo;
        public IWorkerGrain Grain { get; } = grain;
        public WorkerLiveness Liveness { get; } = new(clock);
        public HashSet<Job> InFlight { get; } = [];
        public int Evaluations { get; set; }
        public double BusySeconds { get; set; }
        public int Failures { get; set; }
        public string? LastFailure { get; set; }
    }

    private sealed class Job(EvaluationJob job, CandidateWork work)
    {
        public EvaluationJob Source { get; } = job;
        public CandidateWork Work { get; set; } = work;
        public List<string> Losses { get; } = [];
        public TaskCompletionSource<CandidateEvaluation> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Worker? Holder { get; set; }
        public DateTimeOffset SentAt { get; set; }
        public bool Delivered { get; set; }
        public int Unheld { get; set; }
    }

    /// <summary>Starts following membership and pinging workers (once; after the silo started).</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_receiver is not null) return;
            _receiver = _grains.CreateObjectReference<IEvaluationReceiver>(this);
        }
        Reconcile(_membership.CurrentSnapshot);
        _watch = Task.Run(WatchAsync);
        _monitor = Task.Run(MonitorAsync);
    }

    /// <summary>
    /// Queues a generation's jobs of <paramref name="session"/> (replacing any earlier batch) and returns their
    /// evaluations' tasks in job order.
    /// </summary>
    public IReadOnlyList<Task<CandidateEvaluation>> Submit(WorkSession session, IReadOnlyList<EvaluationJob> jobs)
    {
        Start();
        var tasks = new List<Task<CandidateEvaluation>>(jobs.Count);
        lock (_gate)
        {
            _session = session.Id;
            foreach (var job in jobs)
            {
                var work = new CandidateWork
                {
                    Session = session,
                    Generation = job.Generation,
                    Index = job.Index,
                    Attempt = 0,
                    Reals = job.Genome.Reals,
                    Categories = job.Genome.Categories,
                    Hash = job.Recipe.Hash,
                    Subsets = job.Subsets?.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal),
                    Front = job.Subsets is null ? [] : [.. job.Front.Select(m => m.ToDictionary(t => t.Key, t => t.Value.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal), StringComparer.Ordinal))],
                };
                var entry = new Job(job, work);
                _jobs[work.Key] = entry;
                _pending.AddLast(entry);
                tasks.Add(entry.Done.Task);
            }
        }
        Pump();
        return tasks;
    }

    /// <summary>Forgets the current batch (finished or abandoned): its queued jobs are dropped, late results become duplicates.</summary>
    public void EndBatch()
    {
        lock (_gate)
        {
            _pending.Clear();
            foreach (var job in _jobs.Values) job.Done.TrySetCanceled();
            _jobs.Clear();
            foreach (var worker in _workers.Values) worker.InFlight.Clear();
        }
    }

    /// <summary>The workers seen so far, in name order.</summary>
    public IReadOnlyList<WorkerStatus> Workers()
    {
        lock (_gate)
        {
            return [.. _workers.Values.OrderBy(w => w.Name, StringComparer.Ordinal).Select(w => new WorkerStatus
            {
                Name = w.Name,
                Address = w.Silo.ToString(),
                State = w.Liveness.Availability,
                InFlight = w.InFlight.Count,
                Evaluations = w.Evaluations,
                BusySeconds = w.BusySeconds,
                Failures = w.Failures,
                LastFailure = w.LastFailure,
            })];
        }
    }

    /// <summary>Receives a worker's result (an <see cref="IEvaluationReceiver"/> call).</summary>
    public Task Report(CandidateResult result)
    {
        Worker? failed = null;
        lock (_gate)
        {
            _workers.TryGetValue(result.Worker, out var worker);
            if (!_jobs.TryGetValue(result.Key, out var job) || result.SessionId != _session || job.Done.Task.IsCompleted)
            {
                if (worker is not null)
                {
                    worker.InFlight.RemoveWhere(j => j.Work.Key == result.Key);
                    _metrics?.Duplicate(worker.Name);
                }
                _logger.LogDebug("dropped a duplicate or stale result for {Key} from {Worker}", result.Key, result.Worker);
            }
            else if (result.Error is not null)
            {
                failed = worker;
                if (worker is null) Requeue(job, $"worker {result.Worker}: {result.Error}");
            }
            else
            {
                if (job.Holder is { } holder) holder.InFlight.Remove(job);
                job.Holder = null;
                _pending.Remove(job);
                job.Done.TrySetResult(ToEvaluation(job, result));
                if (worker is not null)
                {
                    worker.InFlight.Remove(job);
                    worker.Evaluations++;
                    worker.BusySeconds += result.MaterializeSeconds + result.ScoreSeconds;
                    _metrics?.Evaluated(worker.Name, result.MaterializeSeconds + result.ScoreSeconds);
                }
            }
        }
        if (failed is not null) Lose(failed, WorkerAvailability.Unusable, $"could not evaluate: {result.Error}");
        Pump();
        return Task.CompletedTask;
    }

    private static CandidateEvaluation ToEvaluation(Job job, CandidateResult result) => new()
    {
        Hash = job.Source.Recipe.Hash,
        Status = (EvaluationStatus)result.Status,
        Reason = result.Reason,
        Objectives = result.Objectives,
        Constraints = result.Constraints,
        ConstraintViolation = result.ConstraintViolation,
        ItemScores = ItemScores.From(result.ItemScores),
        ItemsEvaluated = result.ItemsEvaluated,
        ItemsSaved = result.ItemsSaved,
        TokensScored = result.TokensScored,
        MaterializeSeconds = result.MaterializeSeconds,
        ScoreSeconds = result.ScoreSeconds,
    };

    /// <summary>Takes a worker out of service (state lost or unusable) and re-queues what it held. Caller must not hold the lock.</summary>
    private void Lose(Worker worker, WorkerAvailability state, string reason)
    {
        int requeued;
        lock (_gate)
        {
            if (!worker.Liveness.TakeOut(state)) return;
            worker.LastFailure = reason;
            requeued = worker.InFlight.Count;
            worker.Failures += requeued;
            foreach (var job in worker.InFlight.ToList())
            {
                job.Holder = null;
                if (!job.Done.Task.IsCompleted) Requeue(job, $"worker {worker.Name} {reason}");
            }
            worker.InFlight.Clear();
        }
        if (requeued > 0) _metrics?.Failed(worker.Name, requeued);
        _logger.LogWarning("worker {Worker} {State}: {Reason}; {Count} candidate(s) re-queued", worker.Name, state.Text(), reason, requeued);
        Pump();
    }

    /// <summary>Re-queues a lost job, or records it as failed once it was lost too often. Holds the lock.</summary>
    private void Requeue(Job job, string reason)
    {
        job.Losses.Add(reason);
        if (job.Losses.Count >= _settings.MaxAttempts)
        {
            job.Done.TrySetResult(CandidateEvaluation.Failure(job.Source.Recipe.Hash,
                $"evaluation lost {job.Losses.Count} times: {string.Join("; ", job.Losses)}", ObjectiveCount, ConstraintCount));
            _pending.Remove(job);
            return;
        }
        if (job.Holder is null && !_pending.Contains(job)) _pending.AddFirst(job);
    }

    /// <summary>Objectives and constraints of the current session's config (for failures recorded here).</summary>
    public int ObjectiveCount { get; set; }

    public int ConstraintCount { get; set; }

    /// <summary>Sends queued jobs to active workers with room.</summary>
    private void Pump()
    {
        var sends = new List<(Worker Worker, Job Job, CandidateWork Work)>();
        lock (_gate)
        {
            if (_receiver is null) return;
            int ready = _workers.Values.Count(w => w.Liveness.Availability == WorkerAvailability.Active);
            if (!_quorum && ready >= _settings.MinWorkers)
            {
                _quorum = true;
                if (_settings.MinWorkers > 1) _logger.LogInformation("{Count} workers ready: sending candidates", ready);
            }
            while (_quorum && _pending.First is { } node)
            {
                var active = _workers.Values.Where(w => w.Liveness.Availability == WorkerAvailability.Active).ToList();
                int chosen = WorkerDispatch.Choose(active.ConvertAll(w => new WorkerDispatch.Slot(w.Name, w.InFlight.Count)), _pending.Count, _settings.MaxInFlightPerWorker);
                if (chosen < 0) break;
                var worker = active[chosen];
                var job = node.Value;
                _pending.RemoveFirst();
                job.Work = new CandidateWork
                {
                    Session = job.Work.Session, Generation = job.Work.Generation, Index = job.Work.Index, Attempt = job.Work.Attempt + 1,
                    Reals = job.Work.Reals, Categories = job.Work.Categories, Hash = job.Work.Hash, Subsets = job.Work.Subsets, Front = job.Work.Front,
                };
                job.Holder = worker;
                job.SentAt = _clock.GetUtcNow();
                job.Delivered = false;
                job.Unheld = 0;
                worker.InFlight.Add(job);
                sends.Add((worker, job, job.Work));
            }
            if (_pending.Count > 0 && (!_quorum || ready == 0) && _clock.GetUtcNow() - _lastWaitingLog > TimeSpan.FromSeconds(30))
            {
                _lastWaitingLog = _clock.GetUtcNow();
                _logger.LogInformation("waiting for workers: {Count} candidate(s) queued, {Ready} of {Needed} worker(s) ready (start one with `evomerge worker --cluster ...`)",
                    _pending.Count, ready, _quorum ? 1 : _settings.MinWorkers);
            }
        }
        foreach (var (worker, job, work) in sends) _ = SendAsync(worker, job, work);
    }

    private async Task SendAsync(Worker worker, Job job, CandidateWork work)
    {
        try
        {
            await worker.Grain.Start(work, _receiver!).WaitAsync(TimeSpan.FromSeconds(_settings.PingTimeoutSeconds * 2), _clock);
            lock (_gate)
            {
                if (job.Work == work)
                {
                    job.Delivered = true;
                    job.SentAt = _clock.GetUtcNow();
                }
            }
        }
        catch (Exception e)
        {
            Lose(worker, WorkerAvailability.Lost, $"could not be sent work ({Short(e)})");
        }
    }

    private async Task WatchAsync()
    {
        try
        {
            await foreach (var update in _membership.MembershipUpdates.WithCancellation(_stopping.Token)) Reconcile(update);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            _logger.LogError("following cluster membership failed: {Message}", e.Message);
        }
    }

    private void Reconcile(ClusterMembershipSnapshot snapshot)
    {
        var joined = new List<Worker>();
        var left = new List<(Worker Worker, string Reason)>();
        lock (_gate)
        {
            foreach (var member in snapshot.Members.Values.OrderBy(m => m.SiloAddress.Generation))
            {
                if (WorkerPlacementDirector.WorkerName(member.Name) is not { } name) continue;
                _workers.TryGetValue(name, out var known);
                bool same = known is not null && known.Silo.Equals(member.SiloAddress);
                if (member.Status == SiloStatus.Active)
                {
                    if (same) continue;
                    if (known is not null && known.Silo.Generation > member.SiloAddress.Generation) continue;
                    if (known is not null) left.Add((known, "was replaced by a new process of the same name"));
                    var worker = new Worker(name, member.SiloAddress, _grains.GetGrain<IWorkerGrain>(name), _clock);
                    if (known is not null)
                    {
                        worker.Evaluations = known.Evaluations;
                        worker.BusySeconds = known.BusySeconds;
                        worker.Failures = known.Failures;
                        worker.LastFailure = known.LastFailure;
                    }
                    _workers[name] = worker;
                    joined.Add(worker);
                }
                else if (same && member.Status is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping)
                    left.Add((known!, $"left the cluster ({member.Status})"));
            }
        }
        foreach (var (worker, reason) in left) Lose(worker, WorkerAvailability.Lost, reason);
        WorkSession? session;
        lock (_gate) session = _jobs.Values.FirstOrDefault()?.Work.Session;
        foreach (var worker in joined)
        {
            _logger.LogInformation("worker {Worker} joined ({Silo})", worker.Name, worker.Silo);
            if (session is not null) _ = PrepareAsync(worker, session);
        }
        Pump();
    }

    private async Task PrepareAsync(Worker worker, WorkSession session)
    {
        try
        {
            await worker.Grain.Prepare(session).WaitAsync(TimeSpan.FromSeconds(_settings.PingTimeoutSeconds * 2), _clock);
        }
        catch (Exception e)
        {
            _logger.LogDebug("preparing worker {Worker} failed: {Message}", worker.Name, e.Message);
        }
    }

    private async Task MonitorAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(_settings.PingIntervalSeconds), _clock, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            List<Worker> active;
            lock (_gate) active = [.. _workers.Values.Where(w => w.Liveness.InService)];
            await Task.WhenAll(active.Select(PingAsync));
        }
    }

    private async Task PingAsync(Worker worker)
    {
        WorkerState state;
        try
        {
            state = await worker.Grain.Ping().WaitAsync(TimeSpan.FromSeconds(_settings.PingTimeoutSeconds), _clock);
        }
        catch (Exception e)
        {
            bool lost;
            lock (_gate) lost = worker.Liveness.Missed();
            if (lost)
            {
                Lose(worker, WorkerAvailability.Lost, $"stopped answering ({Short(e)})");
                try
                {
                    await _membership.TryKill(worker.Silo);
                }
                catch (Exception kill)
                {
                    _logger.LogDebug("declaring {Silo} dead failed: {Message}", worker.Silo, kill.Message);
                }
            }
            return;
        }
        var requeue = new List<Job>();
        bool ready;
        lock (_gate)
        {
            ready = worker.Liveness.Answered();
            var held = state.Held.ToHashSet(StringComparer.Ordinal);
            foreach (var job in worker.InFlight)
            {
                if (!job.Delivered || held.Contains(job.Work.Key) || _clock.GetUtcNow() - job.SentAt < TimeSpan.FromSeconds(10)) job.Unheld = 0;
                else if (++job.Unheld >= 2) requeue.Add(job);
            }
            foreach (var job in requeue)
            {
                worker.InFlight.Remove(job);
                job.Holder = null;
                worker.Failures++;
                Requeue(job, $"worker {worker.Name} no longer holds it (its result never arrived)");
            }
        }
        if (ready)
        {
            _logger.LogInformation("worker {Worker} ready", worker.Name);
            Pump();
        }
        if (requeue.Count > 0)
        {
            _metrics?.Failed(worker.Name, requeue.Count);
            _logger.LogWarning("worker {Worker} no longer holds {Count} candidate(s) it was sent; re-queued", worker.Name, requeue.Count);
            Pump();
        }
    }

    private static string Short(Exception e) => (e is TimeoutException ? "timed out" : e.GetBaseException().Message).Split('\n')[0];

    /// <summary>One line per worker: evaluations, busy seconds, failures.</summary>
    public IEnumerable<string> Summary() => Workers().Select(w => FormattableString.Invariant(
        $"worker {w.Name}: {w.Evaluations} evaluations, {w.BusySeconds:F1} s busy, {w.Failures} failure(s), {w.State.Text()}{(w.LastFailure is null ? "" : $" (last failure: {w.LastFailure})")}"));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stopping.Cancel();
        try
        {
            Task.WhenAll(new[] { _watch, _monitor }.OfType<Task>()).Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        EndBatch();
        if (_receiver is not null) _grains.DeleteObjectReference<IEvaluationReceiver>(_receiver);
        _stopping.Dispose();
    }
}
