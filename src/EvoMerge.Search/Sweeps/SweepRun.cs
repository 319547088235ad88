using System.Globalization;
using System.Text.Json;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Materialization;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Sweeps;

/// <summary>
/// Runs a sweep in a run directory, with the search's machinery: the directory is held with the run lock and keeps
/// <c>config.yml</c> and <c>run.json</c> as a search's does (<see cref="SearchSetup"/> checks the models and opens the
/// tasks); every point is composed by the search's composer (<see cref="SweepRecipe"/>: its recipe hash is a search
/// candidate's), built in memory by the <see cref="CandidateMaterializer"/> and scored on every item of the dev tasks
/// by the <see cref="CandidateEvaluator"/> (no cheap-first or racing), or taken from the <see cref="ScoreCache"/> under the
/// <see cref="ReferenceScoreKeys"/> key of its recipe. After every point the results so far are checkpointed
/// (<c>sweep.json</c>, atomically), so a sweep killed at any moment and resumed (<see cref="Resume"/>) redoes at most
/// one point and writes the same table (greedy soup is deterministic given the scores).
/// </summary>
public sealed class SweepRun : IDisposable
{
    /// <summary>The checkpoint's file name in the run directory.</summary>
    public const string CheckpointFileName = "sweep.json";

    private static readonly JsonSerializerOptions Json = new(SearchCheckpoint.Json) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    private readonly RunLock _lock;
    private readonly Action<string> _log;
    private readonly List<SweepResult> _done;
    private readonly ScoreCache? _cache;
    private readonly ReferenceScoreKeys? _keys;
    private readonly CandidateEvaluator _evaluator;
    private CandidateMaterializer? _materializer;
    private int _step;
    private int _total;
    private SweepProgress _progress = SweepProgress.None;

    private SweepRun(SweepConfig config, SearchSetup setup, RunLock runLock, List<SweepResult> done, Action<string> log, bool scoreCache)
    {
        Config = config;
        Setup = setup;
        _lock = runLock;
        _done = done;
        _log = log;
        _evaluator = setup.CreateEvaluator();
        if (ScoreCacheLocation.Open(setup.Config, scoreCache, log) is not { } cache) return;
        try
        {
            _keys = new ReferenceScoreKeys(setup, cache.Hashes);
            _cache = cache;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            cache.Report($"score cache not used: {e.Message}");
        }
    }

    /// <summary>The sweep's config.</summary>
    public SweepConfig Config { get; }

    /// <summary>The models checked, the composer and the tasks.</summary>
    public SearchSetup Setup { get; }

    /// <summary>Points already evaluated (from the checkpoint, then this session's).</summary>
    public int Evaluated => _done.Count;

    /// <summary>Where the sweep stands (safe to read from any thread while <see cref="Run"/> runs).</summary>
    public SweepProgress Progress => Volatile.Read(ref _progress);

    /// <summary>The run directory's checkpoint file.</summary>
    public string CheckpointFile => Path.Combine(Setup.Config.RunDirectory, CheckpointFileName);

    /// <summary>
    /// Starts a sweep in the config's run directory (locked; it must hold no run yet): the config text and the seeds
    /// are saved there with the fingerprints of its inputs (<see cref="RunInputs"/>, as a search records them), and an
    /// empty checkpoint. <paramref name="log"/> gets a line per point evaluated; <paramref name="scoreCache"/> false
    /// turns the score cache off (<c>--no-score-cache</c>).
    /// </summary>
    public static SweepRun Start(SweepConfig config, Action<string> log, bool scoreCache = true)
    {
        string directory = config.Search.RunDirectory;
        var runLock = RunLock.Acquire(directory);
        try
        {
            var files = new RunFiles(directory);
            if (File.Exists(Path.Combine(directory, CheckpointFileName)) || RunStore.HoldsSearch(directory))
                throw new IOException($"{directory}: the run directory already holds a run; continue a sweep with `evomerge sweep --resume {directory}` or choose another run_dir");
            var info = SearchSetup.DeriveInfo(config.Search, Path.GetDirectoryName(Path.GetFullPath(config.Search.File))!);
            var setup = SearchSetup.Create(config.Search, info);
            AtomicFile.WriteAllText(files.Config, config.Text);
            var inputs = RunInputs.Fingerprint(setup.Config).ToList();
            inputs[0] = inputs[0] with { Sha256 = RunInputs.Compute(RunInputs.Config, files.Config)! }; // the saved text, sweep: block included
            RunStore.WriteInfo(files, info with { Inputs = inputs });
            var run = new SweepRun(config, setup, runLock, [], log, scoreCache);
            run.WriteCheckpoint();
            return run;
        }
        catch
        {
            runLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Continues the sweep in <paramref name="runDirectory"/> from its checkpoint (its saved config, its results so far).
    /// Refused before anything is written (<see cref="RunChangedException"/>, naming the first changed file) when the
    /// saved config, a task file or its data, or a model's config or weights header changed since the sweep started:
    /// the checkpoint's scores would no longer belong to the points they are taken for. A sweep started before the
    /// fingerprints were recorded resumes with a warning and records them.
    /// </summary>
    public static SweepRun Resume(string runDirectory, Action<string> log, bool scoreCache = true)
    {
        string full = Path.GetFullPath(runDirectory);
        var files = new RunFiles(full);
        string checkpoint = Path.Combine(full, CheckpointFileName);
        if (!File.Exists(checkpoint) || !File.Exists(files.Config) || !File.Exists(files.Run))
            throw new FileNotFoundException($"{runDirectory}: not a sweep's run directory (it needs {CheckpointFileName}, config.yml and run.json)", checkpoint);
        var runLock = RunLock.Acquire(full);
        try
        {
            var check = RunInputCheck.Verify(files, acceptChanges: false, RunChangedException.SweepResumeCommand);
            var info = RunStore.ReadInfo(files);
            var config = SweepConfigReader.Parse(File.ReadAllText(files.Config), info.ConfigFile, info.ConfigDirectory, full);
            var setup = SearchSetup.Create(config.Search, info);
            var run = new SweepRun(config, setup, runLock, ReadCheckpoint(checkpoint, setup), log, scoreCache);
            if (check.Warning is not null) log(check.Warning);
            check.Record(setup, TimeProvider.System);
            log(string.Create(CultureInfo.InvariantCulture, $"resuming the sweep in {full}: {run.Evaluated} points evaluated so far"));
            return run;
        }
        catch
        {
            runLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Evaluates every point not yet evaluated (grid, path, then greedy soup), checkpointing after each, and writes
    /// <see cref="SweepTable.MarkdownFileName"/> and <see cref="SweepTable.JsonFileName"/> into the run directory.
    /// <paramref name="cancellation"/> is checked before each point.
    /// </summary>
    public SweepTable Run(CancellationToken cancellation = default)
    {
        var config = Setup.Config;
        var settings = Config.Sweep;
        string[] names = SourceNames(config);
        var plan = FixedPoints(Config);
        _step = 0;
        _total = TotalPoints(Config, plan);
        Volatile.Write(ref _progress, SweepProgress.None with { Total = _total });
        var points = new List<SweepPoint>();
        var results = new List<SweepResult>();
        SweepResult Add(SweepPoint point)
        {
            cancellation.ThrowIfCancellationRequested();
            var result = Evaluate(point);
            points.Add(point);
            results.Add(result);
            return result;
        }
        foreach (var point in plan) Add(point);
        GreedySoupResult? soup = null;
        if (settings.GreedySoup)
        {
            double[] own = [.. Enumerable.Range(0, names.Length).Select(s => Add(SweepPlan.Soup([s], names)).Score)];
            soup = GreedySoup.Cook(own, tried => Add(SweepPlan.Soup(tried, names)).Score);
        }
        var table = new SweepTable([.. config.Objectives.Select(o => o.Name)], points, results, soup, names);
        AtomicFile.WriteAllText(Path.Combine(config.RunDirectory, SweepTable.MarkdownFileName), table.ToMarkdown());
        AtomicFile.WriteAllText(Path.Combine(config.RunDirectory, SweepTable.JsonFileName), table.ToJson() + "\n");
        SweepTableParquet.Write(table, Path.Combine(config.RunDirectory, SweepTableParquet.FileName));
        return table;
    }

    /// <summary>The point's result: from the checkpoint (an equal recipe hash), the score cache, or built and scored now; then checkpointed.</summary>
    private SweepResult Evaluate(SweepPoint point)
    {
        var config = Setup.Config;
        var inv = CultureInfo.InvariantCulture;
        _step++;
        var recipe = SweepRecipe.Compose(Setup, point);
        if (_done.FirstOrDefault(r => r.Hash == recipe.Hash) is { } known)
        {
            var again = known with { Family = point.Family, Label = point.Label };
            Volatile.Write(ref _progress, Progress.After(again, SweepPointSource.Checkpoint));
            return again;
        }
        Volatile.Write(ref _progress, Progress with { Current = $"{point.Family} {point.Label}" });
        string? key = _keys?.Key(recipe, config.Methods.Get(point.Method).UsesRandomness);
        string[] objectiveNames = [.. config.Objectives.Select(o => o.Name)];
        double[] objectives;
        string? reason = null;
        var source = SweepPointSource.Evaluated;
        if (key is not null && _cache!.TryRead(key, objectiveNames.Length) is { } cached)
        {
            objectives = cached;
            source = SweepPointSource.ScoreCache;
        }
        else
        {
            try
            {
                _materializer ??= Setup.CreateMaterializer();
                _materializer.Materialize(recipe);
                var evaluation = _evaluator.Evaluate(recipe.Hash, _materializer.Model, (IReadOnlyDictionary<string, int[]>?)null, []);
                objectives = evaluation.Objectives;
                if (evaluation.Status != EvaluationStatus.Scored) reason = evaluation.Reason ?? "not scored";
                else if (key is not null) _cache!.Write(key, point.Label, objectiveNames, objectives);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                objectives = [.. objectiveNames.Select(_ => double.NaN)];
                reason = e.Message;
            }
        }
        var result = new SweepResult(point.Family, point.Label, recipe.Hash, objectives, SweepScore.Of(config, objectives), reason);
        _done.Add(result);
        WriteCheckpoint();
        Volatile.Write(ref _progress, Progress.After(result, source));
        _log(string.Create(inv, $"sweep point {_step} of {_total}: {point.Family} {point.Label}: dev score {result.Score:0.0000}")
            + (reason is null ? "" : $" (failed: {reason})") + (source == SweepPointSource.ScoreCache ? " (score cache)" : ""));
        return result;
    }

    /// <summary>
    /// Where the sweep in <paramref name="runDirectory"/> stands from its files alone (config.yml, run.json,
    /// sweep.json; no model is loaded, whether or not a process runs it): the points its checkpoint holds (all of them
    /// once <see cref="SweepTable.MarkdownFileName"/> is written; a point whose recipe repeats an earlier one's is
    /// checkpointed once and counts once until then) of the plan's total, the best of them by dev score, and the failed
    /// ones; the checkpoint's points count as <see cref="SweepProgress.FromCheckpoint"/>. Null when the directory holds
    /// no sweep (no sweep.json).
    /// </summary>
    public static SweepProgress? ReadProgress(string runDirectory)
    {
        string full = Path.GetFullPath(runDirectory);
        var files = new RunFiles(full);
        string checkpoint = Path.Combine(full, CheckpointFileName);
        if (!File.Exists(checkpoint)) return null;
        if (!File.Exists(files.Config) || !File.Exists(files.Run))
            throw new FileNotFoundException($"{runDirectory}: not a sweep's run directory (it needs {CheckpointFileName}, config.yml and run.json)", files.Run);
        var info = RunStore.ReadInfo(files);
        var config = SweepConfigReader.Parse(File.ReadAllText(files.Config), info.ConfigFile, info.ConfigDirectory, full);
        var results = ReadCheckpoint(checkpoint, config.Search.Objectives.Select(o => o.Name).ToArray());
        int total = TotalPoints(config, FixedPoints(config));
        int done = File.Exists(Path.Combine(full, SweepTable.MarkdownFileName)) ? total : Math.Min(total, results.Count);
        var best = results.Where(r => double.IsFinite(r.Score)).MaxBy(r => r.Score);
        return new SweepProgress(done, total, null, best, 0, 0, done, results.Count(r => r.Reason is not null));
    }

    private static string[] SourceNames(SearchConfig config) => [.. config.Models.Select(m => Path.GetFileName(m.TrimEnd('/')))];

    /// <summary>The grid's and the path's points, in order (the greedy soup's follow from their scores).</summary>
    private static List<SweepPoint> FixedPoints(SweepConfig config)
    {
        var plan = new List<SweepPoint>();
        int sources = config.Search.Models.Count;
        if (config.Sweep.Grid is { } grid) plan.AddRange(SweepPlan.Grid(grid, config.Search.Methods.Get(grid.Method), sources));
        if (config.Sweep.Path is { } path) plan.AddRange(SweepPlan.Path(path, config.Search.Methods.Get(path.Method), sources));
        return plan;
    }

    /// <summary>The fixed points and, with a greedy soup, each source alone and one try per further source (2n − 1).</summary>
    private static int TotalPoints(SweepConfig config, List<SweepPoint> fixedPoints) =>
        fixedPoints.Count + (config.Sweep.GreedySoup ? 2 * config.Search.Models.Count - 1 : 0);

    private void WriteCheckpoint() =>
        AtomicFile.WriteAllText(CheckpointFile, JsonSerializer.Serialize(new SweepCheckpoint([.. Setup.Config.Objectives.Select(o => o.Name)], _done), Json) + "\n");

    private static List<SweepResult> ReadCheckpoint(string file, SearchSetup setup) => ReadCheckpoint(file, [.. setup.Config.Objectives.Select(o => o.Name)]);

    private static List<SweepResult> ReadCheckpoint(string file, string[] names)
    {
        SweepCheckpoint? checkpoint;
        try
        {
            checkpoint = JsonSerializer.Deserialize<SweepCheckpoint>(File.ReadAllText(file), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not a sweep checkpoint written by evomerge ({e.Path}: {e.GetType().Name})", e);
        }
        if (checkpoint?.Results is null || checkpoint.Objectives is null) throw new InvalidDataException($"{file}: not a sweep checkpoint written by evomerge");
        if (!checkpoint.Objectives.SequenceEqual(names) || checkpoint.Results.Any(r => r.Objectives?.Length != names.Length))
            throw new InvalidDataException($"{file}: objectives: the checkpoint's ({string.Join(", ", checkpoint.Objectives)}) are not the config's ({string.Join(", ", names)})");
        return [.. checkpoint.Results];
    }

    /// <summary><c>sweep.json</c>: the objective names the values belong to, and every point evaluated so far, in evaluation order.</summary>
    private sealed record SweepCheckpoint(string[] Objectives, IReadOnlyList<SweepResult> Results);

    /// <inheritdoc />
    public void Dispose()
    {
        _materializer?.Dispose();
        _lock.Dispose();
    }
}
