using System.Diagnostics;
using EvoMerge.Evaluation;
using EvoMerge.Merging;
using EvoMerge.Optimization.CmaEs;
using EvoMerge.Optimization.Nsga2;
using EvoMerge.Optimization.Pareto;
using EvoMerge.Optimization.Random;
using EvoMerge.Optimization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Materialization;
using EvoMerge.Search.Scoring;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Runs;

/// <summary>
/// The search loop. Each generation: ask the optimizer for a batch; decode each genome to its recipe; take its
/// evaluation from the fitness cache (keyed by recipe hash) or have the evaluation backend materialise and score it
/// (in this process, or on cluster workers; a failure or a NaN makes it infeasible, with the reason recorded; results
/// are applied in candidate order, so they do not depend on who evaluated what when); tell the optimizer; add fully scored candidates to the Pareto
/// archive; compute statistics and the exact hypervolume; then checkpoint through the <see cref="RunStore"/> (the
/// generation's rows, optimizer and generator states, population, archive, statistics). The run directory is held with
/// an OS lock for the run's lifetime. A resumed run continues from the last checkpoint and ends with the same archive as
/// an uninterrupted one.
/// </summary>
public sealed class SearchRun : IDisposable
{
    private readonly RunLock _lock;
    private readonly RunStore _store;
    private readonly ISearchObserver? _observer;
    private readonly IOptimizer _optimizer;
    private readonly SearchRandom _screening;
    private readonly ParetoArchive<ArchiveMember> _archive;
    private readonly Dictionary<string, CandidateEvaluation> _cache;
    private readonly List<GenerationStatistics> _statistics;
    private readonly IEvaluationBackend _backend;
    private readonly CandidateEvaluator _evaluator;
    private readonly Stopwatch _session = Stopwatch.StartNew();
    private readonly List<string> _warnings = [];
    private readonly double _elapsedBefore;
    private IReadOnlyList<EvaluatedGenome> _population;
    private double[]? _reference;

    private SearchRun(SearchSetup setup, RunLock runLock, RunStore store, ISearchObserver? observer, IOptimizer optimizer, SearchRandom screening,
        ParetoArchive<ArchiveMember> archive, Dictionary<string, CandidateEvaluation> cache, SearchCheckpoint? checkpoint,
        Func<SearchSetup, IEvaluationBackend>? backend)
    {
        Setup = setup;
        _lock = runLock;
        _store = store;
        _observer = observer;
        _optimizer = optimizer;
        _screening = screening;
        _archive = archive;
        _cache = cache;
        _statistics = [.. checkpoint?.Statistics ?? []];
        _population = checkpoint?.Population ?? [];
        _reference = checkpoint?.Reference;
        Generation = checkpoint?.Generation ?? 0;
        EvaluationsScored = checkpoint?.EvaluationsScored ?? 0;
        _elapsedBefore = checkpoint?.ElapsedSeconds ?? 0;
        _evaluator = setup.CreateEvaluator();
        _backend = backend?.Invoke(setup) ?? new LocalEvaluationBackend(setup);
    }

    /// <summary>The config, layout, composer and tasks.</summary>
    public SearchSetup Setup { get; }

    /// <summary>One-line warnings found when the run was opened (e.g. changes accepted on resume), for the host to log.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The observer the run reports to (null when none).</summary>
    internal ISearchObserver? Observer => _observer;

    /// <summary>Completed generations.</summary>
    public int Generation { get; private set; }

    /// <summary>Candidates scored (cache hits excluded).</summary>
    public int EvaluationsScored { get; private set; }

    /// <summary>Distinct recipes evaluated.</summary>
    public int CacheSize => _cache.Count;

    /// <summary>The Pareto archive in canonical order.</summary>
    public IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> Archive => _archive.Entries;

    /// <summary>Every distinct recipe evaluated so far (the fitness cache), in first-evaluation order.</summary>
    public IEnumerable<CandidateEvaluation> Evaluated => _cache.Values;

    /// <summary>Per-generation statistics so far.</summary>
    public IReadOnlyList<GenerationStatistics> Statistics => _statistics;

    /// <summary>Whether candidates are merged and scored in this process (false on a cluster).</summary>
    public bool EvaluatesLocally => _backend is LocalEvaluationBackend;

    /// <summary>The in-process materialiser (its model holds the last candidate); only with the local evaluation backend.</summary>
    public CandidateMaterializer Materializer => (_backend as LocalEvaluationBackend)?.Materializer
        ?? throw new InvalidOperationException("this run evaluates its candidates elsewhere; it has no materialiser here");

    /// <summary>Seconds searched, over all sessions.</summary>
    public double ElapsedSeconds => _elapsedBefore + _session.Elapsed.TotalSeconds;

    /// <summary>True when a budget limit is reached.</summary>
    public bool BudgetReached => Setup.Config.Budget.LimitReached(Generation, EvaluationsScored, ElapsedSeconds) != BudgetLimit.None;

    /// <summary>
    /// Starts a new search in the config's run directory (locked; it must not hold a search yet). The config text,
    /// its directory and the derived seeds are saved there for resume and export. <paramref name="backend"/> makes the
    /// evaluation backend from the setup (default: <see cref="LocalEvaluationBackend"/>); <paramref name="writer"/> writes
    /// the run's files (default: <see cref="RunFileWriter.Atomic"/>).
    /// </summary>
    public static SearchRun Start(SearchConfig config, ISearchObserver? observer = null, Func<SearchSetup, IEvaluationBackend>? backend = null,
        RunFileWriter? writer = null)
    {
        var runLock = RunLock.Acquire(config.RunDirectory);
        try
        {
            if (RunStore.HoldsSearch(config.RunDirectory))
                throw new IOException($"{config.RunDirectory}: the run directory already holds a search; continue it with `evomerge resume {config.RunDirectory}` or choose another run_dir");
            string configDirectory = Path.GetDirectoryName(Path.GetFullPath(config.File))!;
            var info = SearchSetup.DeriveInfo(config, configDirectory);
            var setup = SearchSetup.Create(config, info);
            var optimizer = CreateOptimizer(setup);
            var store = new RunStore(setup.Config, writer);
            store.Begin(config.Text, info with { Inputs = RunInputs.Fingerprint(setup.Config) });
            var run = new SearchRun(setup, runLock, store, observer, optimizer, new SearchRandom(info.ScreeningSeed), new ParetoArchive<ArchiveMember>(),
                new Dictionary<string, CandidateEvaluation>(StringComparer.Ordinal), null, backend);
            run._warnings.AddRange(ContextWarnings(setup));
            return run;
        }
        catch
        {
            runLock.Dispose();
            throw;
        }
    }

    /// <summary>The tasks' warnings for the base model's context length (generate prompts truncated from the left), once per task.</summary>
    private static IEnumerable<string> ContextWarnings(SearchSetup setup)
    {
        int context = ModelConfig.Load(Path.Combine(setup.Config.BaseModel, "config.json")).MaxPositionEmbeddings;
        return setup.Tasks.Values.SelectMany(t => t.ContextWarnings(context)).Distinct(StringComparer.Ordinal);
    }

    /// <summary>
    /// Continues the search in <paramref name="runDirectory"/> from its last complete checkpoint (from the start when
    /// no generation completed). Evaluations logged after that checkpoint are dropped and redone. Refused, before
    /// anything is written, when an input changed since the run started (<see cref="RunChangedException"/>, unless
    /// <paramref name="acceptChanges"/>: then the changes are recorded in <c>run.json</c> at <paramref name="clock"/>'s
    /// time, default <see cref="TimeProvider.System"/>) or when the evaluations journal is corrupt
    /// (<see cref="CorruptParquetException"/>).
    /// </summary>
    public static SearchRun Resume(string runDirectory, ISearchObserver? observer = null, MergeMethodRegistry? methods = null,
        Func<SearchSetup, IEvaluationBackend>? backend = null, bool acceptChanges = false, TimeProvider? clock = null,
        RunFileWriter? writer = null)
    {
        string full = Path.GetFullPath(runDirectory);
        var files = new RunFiles(full);
        if (!File.Exists(files.Run)) throw new FileNotFoundException($"{runDirectory}: not a run directory (no run.json)", files.Run);
        if (File.Exists(Path.Combine(full, Sweeps.SweepRun.CheckpointFileName)))
            throw new IOException($"{runDirectory}: holds a sweep, not a search; continue it with `evomerge sweep --resume {runDirectory}`");
        var runLock = RunLock.Acquire(full, clock);
        try
        {
            var inputs = RunInputCheck.Verify(files, acceptChanges);
            var setup = SearchSetup.Open(full, methods);
            var store = new RunStore(setup.Config, writer);
            var checkpoint = store.LoadCheckpoint();
            var cache = store.LoadCache();
            inputs.Record(setup, clock ?? TimeProvider.System);
            var run = checkpoint is null
                ? new SearchRun(setup, runLock, store, observer, CreateOptimizer(setup), new SearchRandom(setup.Info.ScreeningSeed),
                    new ParetoArchive<ArchiveMember>(), cache, null, backend)
                : new SearchRun(setup, runLock, store, observer, OptimizerRegistry.Restore(checkpoint.Optimizer), SearchRandom.FromState(checkpoint.ScreeningRandom),
                    new ParetoArchive<ArchiveMember>(checkpoint.Archive), cache, checkpoint, backend);
            if (inputs.Warning is not null) run._warnings.Add(inputs.Warning);
            run._warnings.AddRange(ContextWarnings(setup));
            return run;
        }
        catch
        {
            runLock.Dispose();
            throw;
        }
    }

    private static IOptimizer CreateOptimizer(SearchSetup setup)
    {
        var settings = StartSettings(setup);
        try
        {
            return OptimizerRegistry.Create(settings, setup.Layout.Space, setup.Info.OptimizerSeed);
        }
        catch (ArgumentException e)
        {
            throw SearchConfigReader.ErrorAt(setup.Config, "optimizer.settings", e.Message);
        }
    }

    /// <summary>
    /// The optimizer settings a new run starts with: the config's, with the seed genomes as NSGA-II's and random
    /// search's first genomes and as CMA-ES's start, or with <c>genome.random_init</c> CMA-ES's start drawn from the
    /// run's seed (<see cref="GenomeLayout.RandomStart"/>).
    /// </summary>
    public static OptimizerSettings StartSettings(SearchSetup setup)
    {
        var settings = setup.Config.Optimizer;
        var seeds = setup.Layout.SeedGenomes();
        if (seeds.Count > 0)
        {
            settings = settings switch
            {
                Nsga2Settings n => n with { InitialGenomes = seeds },
                RandomSearchSettings r => r with { InitialGenomes = seeds },
                CmaEsSettings c when c.Start is null => c with { Start = seeds[0] },
                _ => settings,
            };
        }
        if (settings is CmaEsSettings { Start: null } cma && setup.Layout.RandomStart(RandomInitSeed(setup.Info.Seed)) is { } start)
            settings = cma with { Start = start };
        return settings;
    }

    /// <summary>The seed of <c>genome.random_init</c>'s start: the SplitMix64 value after the screening seed in the run seed's sequence.</summary>
    public static ulong RandomInitSeed(ulong seed)
    {
        var random = new SearchRandom(seed);
        random.NextUInt64();
        return random.NextUInt64();
    }

    /// <summary>
    /// Runs generations until the budget is reached. Cancellation is checked before every candidate (see
    /// <see cref="RunGeneration"/>); it throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public void Run(CancellationToken cancellation = default)
    {
        while (!BudgetReached)
        {
            cancellation.ThrowIfCancellationRequested();
            RunGeneration(cancellation);
        }
    }

    /// <summary>
    /// Runs one generation and checkpoints it. <paramref name="cancellation"/> is checked before each candidate's
    /// evaluation (an evaluation in progress finishes). A cancelled generation is abandoned: nothing of it is told,
    /// archived, logged or checkpointed, so the run directory keeps the previous generation's checkpoint and a resume
    /// redoes this generation from it, exactly as after a kill. The instance must not run again after a cancellation. A full disk while checkpointing is a
    /// <see cref="RunStorageFullException"/> naming the file and this generation; <see cref="Generation"/> then still counts only
    /// the generations checkpointed, and the instance must not run again either.
    /// </summary>
    public GenerationStatistics RunGeneration(CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        int generation = Generation;
        var batch = _optimizer.Ask();
        _observer?.GenerationStarted(generation, batch.Count);
        var front = Front();
        var told = new List<EvaluatedGenome>(batch.Count);
        var rows = new List<EvaluationRecord>(batch.Count);
        var evaluations = new List<(Genome Genome, CandidateEvaluation Evaluation, bool Cached)>();
        var (planned, jobs) = Plan(generation, batch, front);
        using var results = _backend.Evaluate(jobs, cancellation).GetEnumerator();
        for (int i = 0; i < batch.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var (evaluation, cached) = Take(planned[i], results);
            evaluations.Add((batch[i], evaluation, cached));
            told.Add(Told(batch[i], evaluation));
            var row = new EvaluationRecord
            {
                Generation = generation,
                Index = i,
                Genome = batch[i].Key,
                RecipeHash = evaluation.Hash,
                Status = evaluation.Status,
                Reason = evaluation.Reason ?? "",
                Cached = cached,
                Objectives = evaluation.Objectives,
                Constraints = evaluation.Constraints,
                ConstraintViolation = evaluation.ConstraintViolation,
                ItemsEvaluated = cached ? 0 : evaluation.ItemsEvaluated,
                ItemsSaved = cached ? 0 : evaluation.ItemsSaved,
                TokensScored = cached ? 0 : evaluation.TokensScored,
                MaterializeSeconds = cached ? 0 : evaluation.MaterializeSeconds,
                ScoreSeconds = cached ? 0 : evaluation.ScoreSeconds,
                ItemScores = cached ? "" : EvaluationLog.SerializeItemScores(evaluation.ItemScores),
            };
            rows.Add(row);
            _observer?.EvaluationFinished(row);
        }
        _optimizer.Tell(told);
        _population = told;
        var objectives = Setup.Config.Objectives;
        foreach (var (genome, evaluation, _) in evaluations)
        {
            if (evaluation.Status != EvaluationStatus.Scored) continue;
            _archive.Add(evaluation.Hash, evaluation.Objectives.Select((v, j) => objectives[j].ToMinimized(v)).ToArray(), evaluation.ConstraintViolation,
                new ArchiveMember(evaluation.Hash, genome, evaluation.Objectives, evaluation.Constraints, generation));
        }
        Generation = generation + 1;
        var statistics = Summarize(generation, evaluations, clock.Elapsed.TotalSeconds);
        if (_backend is LocalEvaluationBackend local) statistics = statistics with { FactorCache = local.Materializer.Factors.Statistics() };
        _statistics.Add(statistics);
        try
        {
            Checkpoint(rows);
        }
        catch (RunStorageFullException e)
        {
            // The previous checkpoint is whole (atomic writes) and stays the run's last complete generation.
            Generation = generation;
            _statistics.RemoveAt(_statistics.Count - 1);
            throw e.During(generation);
        }
        _observer?.GenerationFinished(statistics);
        return statistics;
    }

    /// <summary>
    /// Evaluates one genome outside the generation loop, through the fitness cache (a hash already evaluated is not
    /// scored again), e.g. to score a hand-made candidate. Not logged or archived.
    /// </summary>
    public (CandidateEvaluation Evaluation, bool Cached) Evaluate(Genome genome)
    {
        var (planned, jobs) = Plan(Generation, [genome], Front());
        using var results = _backend.Evaluate(jobs, CancellationToken.None).GetEnumerator();
        return Take(planned[0], results);
    }

    private ItemScores[] Front() =>
        _archive.Entries.Where(e => e.IsFeasible && _cache.ContainsKey(e.Key)).Select(e => _cache[e.Key].ItemScores).ToArray();

    /// <summary>What a candidate needs: a result known already (invalid genome, cache hit, or a duplicate of an earlier job in the batch) or the next job's result.</summary>
    private readonly record struct PlannedCandidate(CandidateEvaluation? Known, bool Cached, string Hash);

    /// <summary>
    /// Decodes the batch in candidate order, finds cache hits and duplicates, and makes a job of each new recipe with its
    /// cheap-first subsets or racing orders drawn now, in candidate order, as evaluating them in turn would draw them.
    /// </summary>
    private (PlannedCandidate[] Planned, List<EvaluationJob> Jobs) Plan(int generation, IReadOnlyList<Genome> batch,
        IReadOnlyList<ItemScores> front)
    {
        int objectives = Setup.Config.Objectives.Count, constraints = Setup.Config.Constraints.Count;
        var planned = new PlannedCandidate[batch.Count];
        var jobs = new List<EvaluationJob>();
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < batch.Count; i++)
        {
            CandidateRecipe recipe;
            try
            {
                recipe = Setup.Composer.Compose(Setup.Layout.Decode(batch[i]));
            }
            catch (ArgumentException e)
            {
                planned[i] = new(CandidateEvaluation.Failure("", "invalid genome: " + e.Message, objectives, constraints), false, "");
                continue;
            }
            if (_cache.TryGetValue(recipe.Hash, out var known)) planned[i] = new(known, true, recipe.Hash);
            else if (!fresh.Add(recipe.Hash)) planned[i] = new(null, true, recipe.Hash);
            else
            {
                planned[i] = new(null, false, recipe.Hash);
                jobs.Add(new EvaluationJob(generation, i, batch[i], recipe, _evaluator.DrawSubsets(_screening, front.Count), front));
            }
        }
        return (planned, jobs);
    }

    /// <summary>The planned candidate's evaluation: known, a duplicate's (cached by then), or the backend's next result (cached and counted).</summary>
    private (CandidateEvaluation Evaluation, bool Cached) Take(PlannedCandidate planned, IEnumerator<CandidateEvaluation> results)
    {
        if (planned.Known is { } known) return (known, planned.Cached);
        if (planned.Cached) return (_cache[planned.Hash], true);
        if (!results.MoveNext()) throw new InvalidOperationException("the evaluation backend returned fewer results than jobs");
        var evaluation = results.Current;
        _cache[planned.Hash] = evaluation;
        EvaluationsScored++;
        return (evaluation, false);
    }

    private EvaluatedGenome Told(Genome genome, CandidateEvaluation evaluation)
    {
        if (evaluation.Status == EvaluationStatus.Failed) return EvaluatedGenome.Failed(genome, Setup.Config.Objectives.Count);
        var objectives = Setup.Config.Objectives;
        return new EvaluatedGenome(genome, evaluation.Objectives.Select((v, j) => objectives[j].ToMinimized(v)).ToArray(), evaluation.ConstraintViolation);
    }

    private GenerationStatistics Summarize(int generation, List<(Genome Genome, CandidateEvaluation Evaluation, bool Cached)> evaluations, double seconds)
    {
        var objectives = Setup.Config.Objectives;
        var full = evaluations.Where(e => e.Evaluation.Status == EvaluationStatus.Scored && e.Evaluation.ConstraintViolation <= 0).Select(e => e.Evaluation).ToList();
        if (_reference is null && full.Count > 0)
        {
            _reference = new double[objectives.Count];
            for (int j = 0; j < objectives.Count; j++)
            {
                if (objectives[j].Reference is { } given)
                {
                    _reference[j] = objectives[j].ToMinimized(given);
                    continue;
                }
                var values = full.Select(e => objectives[j].ToMinimized(e.Objectives[j])).ToArray();
                double nadir = values.Max(), ideal = values.Min();
                _reference[j] = nadir + Math.Max(1e-9, 0.1 * (nadir - ideal));
            }
        }
        var feasible = _archive.Entries.Where(e => e.IsFeasible).Select(e => (IReadOnlyList<double>)e.Objectives).ToArray();
        var fresh = evaluations.Where(e => !e.Cached).Select(e => e.Evaluation).ToList();
        return new GenerationStatistics
        {
            Generation = generation,
            Candidates = evaluations.Count,
            Scored = fresh.Count,
            CacheHits = evaluations.Count(e => e.Cached),
            Screened = fresh.Count(e => e.Status == EvaluationStatus.Screened),
            Failed = fresh.Count(e => e.Status == EvaluationStatus.Failed),
            ItemEvaluations = fresh.Sum(e => (long)e.ItemsEvaluated),
            ItemEvaluationsSaved = fresh.Sum(e => (long)e.ItemsSaved),
            FrontSize = _archive.Count,
            Hypervolume = _reference is null || feasible.Length == 0 ? 0.0 : Hypervolume.Compute(feasible, _reference),
            Reference = _reference,
            Best = objectives.Select((o, j) => full.Count == 0 ? double.NaN : o.Maximize ? full.Max(e => e.Objectives[j]) : full.Min(e => e.Objectives[j])).ToArray(),
            Mean = objectives.Select((o, j) => full.Count == 0 ? double.NaN : full.Average(e => e.Objectives[j])).ToArray(),
            Seconds = seconds,
            MaterializeSeconds = fresh.Sum(e => e.MaterializeSeconds),
            ScoreSeconds = fresh.Sum(e => e.ScoreSeconds),
        };
    }

    private void Checkpoint(IReadOnlyList<EvaluationRecord> rows)
    {
        _store.AppendGeneration(rows);
        _store.WriteCheckpoint(new SearchCheckpoint
        {
            Generation = Generation,
            EvaluationsScored = EvaluationsScored,
            ElapsedSeconds = ElapsedSeconds,
            Optimizer = _optimizer.SaveState(),
            ScreeningRandom = _screening.ExportState(),
            Population = _population,
            Archive = _archive.Entries,
            Reference = _reference,
            Statistics = _statistics,
            EvaluationRowGroups = _store.JournalRowGroups,
            EvaluationsSha256 = _store.JournalSha256,
        }, ArchiveJson());
    }

    /// <summary>archive.json's text for the archive now (see <see cref="RunStore.ArchiveJson"/>).</summary>
    public string ArchiveJson() => RunStore.ArchiveJson(Setup, Generation, _archive.Entries);

    /// <inheritdoc />
    public void Dispose()
    {
        _backend.Dispose();
        _lock.Dispose();
    }
}
