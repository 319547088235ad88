using System.Collections.Concurrent;
using System.Diagnostics;
using EvoMerge.Evaluation;
using EvoMerge.Search.Configuration;
using EvoMerge.Optimization;
using EvoMerge.Search.Runs;
using Microsoft.Extensions.Logging;

namespace EvoMerge.Cluster;

/// <summary>
/// The worker's side: one thread that loads a session's sources once (base and source models, tasks) and then
/// materialises and scores the candidates it is sent, in arrival order, reporting each result to the orchestrator's
/// receiver (retried a few times). A candidate of another session loads that session first. A session's config text
/// is parsed under the YAML limits (<see cref="EvoMerge.Tensors.Yaml.YamlLimits"/>) and every path it names is checked
/// against the worker's <see cref="WorkerFileAccess"/> before anything is opened.
/// </summary>
public sealed class WorkerEvaluationQueue : IDisposable
{
    private readonly BlockingCollection<(WorkSession Session, CandidateWork? Work, IEvaluationReceiver? Receiver)> _queue = new();
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);
    private readonly ILogger<WorkerEvaluationQueue> _logger;
    private readonly string? _configDirectory;
    private readonly WorkerFileAccess _files;
    private readonly Thread _thread;
    private SearchSetup? _setup;
    private LocalEvaluationBackend? _backend;
    private string? _sessionId;
    private string? _loadError;

    /// <param name="name">The worker's name.</param>
    /// <param name="configDirectory">Where this machine resolves the config's relative paths (null: where the orchestrator does).</param>
    /// <param name="files">The directories the worker may open models and data under.</param>
    /// <param name="logger">Log.</param>
    public WorkerEvaluationQueue(string name, string? configDirectory, WorkerFileAccess files, ILogger<WorkerEvaluationQueue> logger)
    {
        Name = name;
        _configDirectory = configDirectory;
        _files = files;
        _logger = logger;
        _thread = new Thread(Loop) { IsBackground = true, Name = "evomerge-worker" };
        _thread.Start();
    }

    /// <summary>The worker's name.</summary>
    public string Name { get; }

    /// <summary>Candidates evaluated since start.</summary>
    public int Evaluated { get; private set; }

    /// <summary>Queues loading <paramref name="session"/>.</summary>
    public void Prepare(WorkSession session)
    {
        if (session.Id != Volatile.Read(ref _sessionId)) _queue.Add((session, null, null));
    }

    /// <summary>Queues a candidate.</summary>
    public void Enqueue(CandidateWork work, IEvaluationReceiver receiver)
    {
        _held[Held(work.Session.Id, work.Key)] = 0;
        _queue.Add((work.Session, work, receiver));
    }

    /// <summary>What a ping answers.</summary>
    public WorkerState State()
    {
        string? session = Volatile.Read(ref _sessionId);
        return new WorkerState
        {
            Name = Name,
            SessionId = session,
            LoadError = Volatile.Read(ref _loadError),
            Held = [.. _held.Keys.Where(k => session is not null && k.StartsWith(session + "|", StringComparison.Ordinal)).Select(k => k[(k.IndexOf('|') + 1)..])],
        };
    }

    private static string Held(string session, string key) => session + "|" + key;

    private void Loop()
    {
        foreach (var (session, work, receiver) in _queue.GetConsumingEnumerable())
        {
            Load(session);
            if (work is null || receiver is null) continue;
            var result = Evaluate(work);
            _ = Task.Run(() => ReportAsync(receiver, result, Held(session.Id, work.Key)));
        }
    }

    private void Load(WorkSession session)
    {
        if (session.Id == _sessionId) return;
        _backend?.Dispose();
        _backend = null;
        _setup = null;
        Volatile.Write(ref _loadError, null);
        var clock = Stopwatch.StartNew();
        try
        {
            var info = session.Info(_configDirectory);
            _files.CheckBeforeParse(session.ConfigText, info.ConfigFile, info.ConfigDirectory);
            var config = SearchConfigReader.Parse(session.ConfigText, info.ConfigFile, info.ConfigDirectory, runDirectory: session.RunDirectory);
            _files.Check(config);
            _setup = SearchSetup.Create(config, info);
            _backend = new LocalEvaluationBackend(_setup);
            _logger.LogInformation("worker {Name}: loaded the sources of {Session} in {Seconds:F1} s", Name, session.Id, clock.Elapsed.TotalSeconds);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Volatile.Write(ref _loadError, e.Message);
            _logger.LogError("worker {Name}: loading the sources of {Session} failed: {Message}", Name, session.Id, e.Message);
        }
        Volatile.Write(ref _sessionId, session.Id);
    }

    private CandidateResult Evaluate(CandidateWork work)
    {
        CandidateResult Error(string message) => new()
        {
            SessionId = work.Session.Id, Generation = work.Generation, Index = work.Index, Attempt = work.Attempt, Worker = Name, Error = message,
        };
        if (_setup is null || _backend is null) return Error($"loading the sources failed: {_loadError}");
        var genome = new Genome(work.Reals, work.Categories);
        Search.Genomes.CandidateRecipe recipe;
        try
        {
            recipe = _setup.Composer.Compose(_setup.Layout.Decode(genome));
        }
        catch (ArgumentException e)
        {
            return Error($"the genome does not decode here: {e.Message}");
        }
        if (_configDirectory is null && recipe.Hash != work.Hash)
            return Error($"recipe hash mismatch: this worker composes {recipe.Hash[..12]}, the orchestrator {work.Hash[..12]} (different config, sources or program version?)");
        var front = work.Front.Select(ItemScores.From).ToList();
        var evaluation = _backend.Evaluate(new EvaluationJob(work.Generation, work.Index, genome, recipe, work.Subsets, front));
        Evaluated++;
        return new CandidateResult
        {
            SessionId = work.Session.Id,
            Generation = work.Generation,
            Index = work.Index,
            Attempt = work.Attempt,
            Worker = Name,
            Status = (int)evaluation.Status,
            Reason = evaluation.Reason,
            Objectives = evaluation.Objectives,
            Constraints = evaluation.Constraints,
            ConstraintViolation = evaluation.ConstraintViolation,
            ItemScores = evaluation.ItemScores.ToDictionary(t => t.Key, t => t.Value.ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal), StringComparer.Ordinal),
            ItemsEvaluated = evaluation.ItemsEvaluated,
            ItemsSaved = evaluation.ItemsSaved,
            TokensScored = evaluation.TokensScored,
            MaterializeSeconds = evaluation.MaterializeSeconds,
            ScoreSeconds = evaluation.ScoreSeconds,
        };
    }

    private async Task ReportAsync(IEvaluationReceiver receiver, CandidateResult result, string held)
    {
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    await receiver.Report(result).WaitAsync(TimeSpan.FromSeconds(30));
                    return;
                }
                catch (Exception e) when (attempt < 3)
                {
                    _logger.LogWarning("worker {Name}: reporting {Key} failed ({Message}); retrying", Name, result.Key, e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1));
                }
            }
        }
        catch (Exception e)
        {
            _logger.LogWarning("worker {Name}: could not report {Key} ({Message}); the orchestrator re-queues it", Name, result.Key, e.Message);
        }
        finally
        {
            _held.TryRemove(held, out _);
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
        _backend?.Dispose();
    }
}
