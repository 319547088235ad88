using System.Globalization;
using EvoMerge.Optimization.Pareto;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;

namespace EvoMerge.Host;

/// <summary>
/// The live state of the hosted run, updated by the search thread (as an observer) and read from any thread by
/// <c>/status</c>, the metrics and the progress displays.
/// </summary>
public sealed class RunProgress(TimeProvider clock) : ISearchObserver
{
    private readonly Lock _gate = new();
    private SearchRun? _run;
    private RunIdentity? _identity;
    private IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> _archive = [];
    private IReadOnlyList<GenerationStatistics> _statistics = [];
    private double _hypervolume;
    private int _generation;
    private int _evaluationsDone;
    private int _current = -1;
    private int _candidates;
    private int _evaluated;
    private int _referencesScored;
    private int _referencesTotal;
    private string _state = "starting";
    private string? _phase;
    private long _phaseStarted;
    private int _phaseDone;
    private int _phaseTotal;

    /// <summary>Progress on the system clock.</summary>
    public RunProgress()
        : this(TimeProvider.System)
    {
    }

    /// <summary>The run's identity once attached.</summary>
    public RunIdentity? Identity
    {
        get
        {
            lock (_gate) return _identity;
        }
    }

    /// <summary>starting, running, stopping, stopped, finished or crashed.</summary>
    public string State
    {
        get
        {
            lock (_gate) return _state;
        }
        set
        {
            lock (_gate) _state = value;
        }
    }

    /// <summary>Objective names in config order (empty before the run is attached).</summary>
    public IReadOnlyList<string> ObjectiveNames
    {
        get
        {
            lock (_gate) return _run?.Setup.Config.Objectives.Select(o => o.Name).ToArray() ?? [];
        }
    }

    /// <summary>
    /// What the search does now, in words, and its steps done of total: "scoring reference models (k/n)", "candidate
    /// e/c of generation g", between generations "generation g done" (0, 0), or "starting" (0, 0); after the search, a
    /// post-search phase's name with its steps ("scoring the demo table 3/20"). Generations are
    /// numbered from 0, as in the logs and the run's files (see <see cref="GenerationNumbering"/>).
    /// </summary>
    public (string Text, int Done, int Total) Activity
    {
        get
        {
            var inv = CultureInfo.InvariantCulture;
            lock (_gate)
            {
                if (_phase is not null) return (string.Create(inv, $"{_phase} {_phaseDone}/{_phaseTotal}"), _phaseDone, _phaseTotal);
                if (_referencesTotal > 0) return (string.Create(inv, $"scoring reference models ({_referencesScored}/{_referencesTotal})"), _referencesScored, _referencesTotal);
                if (_current >= 0) return (string.Create(inv, $"candidate {_evaluated}/{_candidates} of generation {_current}"), _evaluated, _candidates);
                return (GenerationNumbering.Last(_generation) is { } last ? string.Create(inv, $"generation {last} done") : "starting", 0, 0);
            }
        }
    }

    /// <summary>Starts reporting <paramref name="run"/> (before it runs; its checkpointed state is the starting point).</summary>
    public void Attach(SearchRun run, RunIdentity identity)
    {
        lock (_gate)
        {
            _run = run;
            _identity = identity;
            _archive = [.. run.Archive];
            _statistics = [.. run.Statistics];
            _hypervolume = run.Statistics.Count > 0 ? run.Statistics[^1].Hypervolume : 0;
            _generation = run.Generation;
            _evaluationsDone = run.EvaluationsScored;
            _state = "running";
        }
    }

    /// <summary>The status now, or null before a run is attached.</summary>
    public RunStatus? Snapshot()
    {
        lock (_gate)
        {
            if (_run is null || _identity is null) return null;
            return RunStatus.Create(_identity, _run.Setup.Config, _state, alive: true, _generation, _evaluationsDone, _run.ElapsedSeconds, _archive, _hypervolume,
                _statistics) with
            {
                Phase = _phase is null ? null : PhaseStatus.Create(_phase, _phaseDone, _phaseTotal, clock.GetElapsedTime(_phaseStarted).TotalSeconds),
            };
        }
    }

    /// <summary>A post-search phase named <paramref name="name"/> begins now (see <see cref="PostSearchPhase"/>).</summary>
    public void BeginPhase(string name)
    {
        lock (_gate)
        {
            _phase = name;
            _phaseStarted = clock.GetTimestamp();
            _phaseDone = 0;
            _phaseTotal = 0;
        }
    }

    /// <summary>The post-search phase has done <paramref name="done"/> of its <paramref name="total"/> steps.</summary>
    public void PhaseStep(int done, int total)
    {
        lock (_gate)
        {
            _phaseDone = done;
            _phaseTotal = total;
        }
    }

    public void GenerationStarted(int generation, int candidates)
    {
        lock (_gate)
        {
            _current = generation;
            _candidates = candidates;
            _evaluated = 0;
        }
    }

    public void EvaluationFinished(EvaluationRecord record)
    {
        lock (_gate)
        {
            _evaluated++;
            if (!record.Cached) _evaluationsDone++;
        }
    }

    public void GenerationFinished(GenerationStatistics statistics)
    {
        lock (_gate)
        {
            _generation = statistics.Generation + 1;
            _evaluationsDone = _run?.EvaluationsScored ?? _evaluationsDone;
            _archive = _run is null ? _archive : [.. _run.Archive];
            _statistics = _run is null ? _statistics : [.. _run.Statistics];
            _hypervolume = statistics.Hypervolume;
            _current = -1;
            _candidates = 0;
            _evaluated = 0;
        }
    }

    public void ReferencesScored(int scored, int total)
    {
        lock (_gate)
        {
            _referencesScored = scored;
            _referencesTotal = scored < total ? total : 0;
        }
    }
}
