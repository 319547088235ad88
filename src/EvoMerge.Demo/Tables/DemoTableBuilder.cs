using System.Diagnostics;
using System.Globalization;
using EvoMerge.Demo.Training;
using EvoMerge.Evaluation;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Inference;
using EvoMerge.Merging.Methods;
using EvoMerge.Optimization.Pareto;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Sweeps;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Routed;
using EvoMerge.Search.Routed;
using EvoMerge.Search.Proxy;
using EvoMerge.Inference.Routed;
using EvoMerge.Merging.Recipes;
using TorchSharp;

namespace EvoMerge.Demo.Tables;

/// <summary>
/// Scores the demo table after a search. Columns: every skill's multiple-choice <c>acc</c> and generation
/// <c>exact_match</c> on its test split, and their mean (the average). Rows: the base, every source, the best
/// task_arithmetic and the best TIES merge of a small grid (recipes kept under <c>RUN_DIR/baselines/</c>), the greedy
/// soup of the sources (Wortsman et al. 2022, Recipe 1, on the dev average; built with the sweep's machinery), the archive member with the best dev average, the best archive member per search objective, and the multitask upper
/// bound. The dev average is the same six columns' mean on the dev splits (values the search already measured on the
/// same task and metric are reused); baselines and the reported member are chosen by it, so everything is chosen on
/// dev by the table's own criterion and only reported on test.
/// </summary>
public sealed class DemoTableBuilder
{
    /// <summary>task_arithmetic weights tried (one weight for every source).</summary>
    public static readonly double[] TaskArithmeticWeights = [0.3, 0.5, 0.7, 1.0];

    /// <summary>TIES densities tried (weight 1; TIES normalises by the summed weights, so a common weight cancels).</summary>
    public static readonly double[] TiesDensities = [0.2, 0.4, 0.6, 0.8];

    private readonly SearchSetup _setup;
    private readonly IReadOnlyList<EvalTask> _testTasks;
    private readonly IReadOnlyList<(EvalTask Task, string Metric, int Objective)> _devTasks;
    private readonly string[] _columns;
    private readonly TextTokenizer _tokenizer;
    private readonly int? _limit;
    private readonly Action<string> _log;
    private readonly Action<int, int> _steps;
    private readonly CancellationToken _stopping;
    private readonly string _datasets;
    private int? _reported;
    private int _done;
    private int _total;

    /// <param name="setup">The finished run's setup (<see cref="SearchSetup.Open"/>).</param>
    /// <param name="datasetsDirectory">Where the skill datasets and their task YAMLs are (<c>datasets/</c>).</param>
    /// <param name="limit">Score at most this many documents per task (a quick check; null: all).</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="steps">Told the steps done of total after each model scored (a row, a baseline grid point, an archive member's dev average).</param>
    /// <param name="stopping">Checked before each evaluation; cancelled, the build throws <see cref="OperationCanceledException"/>.</param>
    public DemoTableBuilder(SearchSetup setup, string datasetsDirectory, int? limit, Action<string> log, Action<int, int>? steps = null, CancellationToken stopping = default)
    {
        foreach (var objective in setup.Config.Objectives)
            if (!objective.Maximize)
                throw new ArgumentException($"{setup.Config.File}: objective '{objective.Name}' is minimised; the demo table averages maximised objectives (accuracies)");
        _setup = setup;
        _limit = limit;
        _log = log;
        _steps = steps ?? ((_, _) => { });
        _stopping = stopping;
        _datasets = datasetsDirectory;
        _tokenizer = TextTokenizer.Load(setup.Config.BaseModel);
        var tasks = new List<EvalTask>();
        var devTasks = new List<(EvalTask, string, int)>();
        var objectives = setup.Config.Objectives;
        var columns = new List<string>();
        foreach (var skill in SyntheticSkill.All)
        {
            foreach (var kind in new[] { "choice", "answer" })
            {
                tasks.Add(EvalTask.Load(Path.Combine(datasetsDirectory, skill.Name, $"{skill.Name}-{kind}-test.yml"), limit));
                string dev = Path.GetFullPath(Path.Combine(datasetsDirectory, skill.Name, $"{skill.Name}-{kind}.yml"));
                string metric = kind == "choice" ? "acc" : "exact_match";
                int objective = Enumerable.Range(0, objectives.Count)
                    .FirstOrDefault(i => objectives[i].Metric == metric && Path.GetFullPath(objectives[i].Task) == dev, -1);
                devTasks.Add((EvalTask.Load(dev, limit), metric, objective));
                columns.Add($"{skill.Name} {kind}");
            }
        }
        _testTasks = tasks;
        _devTasks = devTasks;
        _columns = [.. columns];
    }

    /// <summary>Each archive member's dev average after <see cref="Build"/> (the reported member's rule ranks by it; empty without members).</summary>
    public IReadOnlyList<double> MemberDevAverages { get; private set; } = [];

    /// <summary>Scores every row; <paramref name="upperBound"/> (a model directory) is skipped when null.</summary>
    public DemoTable Build(IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> archive, string? upperBound, IReadOnlyDictionary<string, string> facts)
    {
        var clock = Stopwatch.StartNew();
        var config = _setup.Config;
        _done = 0;
        _total = 1 + config.Models.Count + TaskArithmeticWeights.Length + TiesDensities.Length + 2 + (config.Models.Count < 2 ? 0 : config.Models.Count)
            + (archive.Count == 0 ? 0 : archive.Count + MostChosen() + RoutedGridPoint.Grid(config.Models.Count).Count + 1)
            + (upperBound is null ? 0 : 1);
        _steps(0, _total);
        var rows = new List<DemoTableRow> { FromDirectory(config.BaseModel, "base", "base", "") };
        foreach (string source in config.Models) rows.Add(FromDirectory(source, Path.GetFileName(source.TrimEnd('/')), "source", ""));
        rows.AddRange(Baselines([.. rows.Where(r => r.Kind == "source").Select(r => r.DevAverage)]));
        rows.AddRange(Evolved(archive));
        rows.AddRange(Routed(archive));
        if (upperBound is not null) rows.Add(FromDirectory(upperBound, Path.GetFileName(upperBound.TrimEnd('/')), "upper bound", "trained on all skills"));
        LogRoutedPairs(rows);
        var all = new Dictionary<string, string>(facts) { ["table_seconds"] = clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) };
        if (_limit is { } n) all["limit"] = n.ToString(CultureInfo.InvariantCulture);
        return new DemoTable(_columns, rows, all);
    }

    private DemoTableRow FromDirectory(string directory, string label, string kind, string note)
    {
        using var model = ModelDirectory.Open(directory);
        using var decoder = DecoderModel.Load(model, _setup.Config.DType);
        return Row(decoder, label, kind, note, DevAverage(decoder, null));
    }

    /// <summary>
    /// The baseline rows, with the sweep's machinery (<see cref="SweepPlan"/>, <see cref="SweepRecipe"/>, in memory by the
    /// run's materialiser): the best task_arithmetic and the best TIES grid point on dev (their recipes kept under
    /// <c>RUN_DIR/baselines/</c>), then the greedy soup of the sources (<see cref="GreedySoup"/>: ingredients ranked by
    /// <paramref name="sourceDevAverages"/>, each kept iff the soup's dev average with it is ≥ without).
    /// </summary>
    private IEnumerable<DemoTableRow> Baselines(IReadOnlyList<double> sourceDevAverages)
    {
        string recipes = Path.Combine(_setup.Config.RunDirectory, "baselines");
        Directory.CreateDirectory(recipes);
        var inv = CultureInfo.InvariantCulture;
        var config = _setup.Config;
        var grids = new (string Kind, string Letter, IReadOnlyList<SweepPoint> Points)[]
        {
            (TaskArithmeticMerge.MethodName, "w", SweepPlan.Grid(new SweepGrid(TaskArithmeticMerge.MethodName, [("weight", TaskArithmeticWeights)], new Dictionary<string, double>()),
                config.Methods.Get(TaskArithmeticMerge.MethodName), config.Models.Count)),
            (TiesMerge.MethodName, "d", SweepPlan.Grid(new SweepGrid(TiesMerge.MethodName, [("density", TiesDensities)], new Dictionary<string, double> { ["weight"] = 1.0 }),
                config.Methods.Get(TiesMerge.MethodName), config.Models.Count)),
        };
        using var materializer = _setup.CreateMaterializer();
        double Dev(SweepPoint point)
        {
            materializer.Materialize(SweepRecipe.Compose(_setup, point));
            return DevAverage(materializer.Model, null);
        }
        foreach (var (kind, letter, points) in grids)
        {
            (SweepPoint Point, string Label, string File, double Dev)? best = null;
            foreach (var point in points)
            {
                string label = string.Create(inv, $"{letter}={point.X:0.0}");
                string file = Path.Combine(recipes, string.Create(inv, $"{kind}-{letter}{point.X:0.0}.yml"));
                AtomicFile.WriteAllText(file, SweepRecipe.Compose(_setup, point).ParameterSpace);
                double dev = Dev(point);
                _log(string.Create(inv, $"baseline {kind} {label}: dev average {dev:0.0000}"));
                Step();
                if (best is null || dev > best.Value.Dev) best = (point, label, file, dev);
            }
            var chosen = best!.Value;
            Dev(chosen.Point);
            yield return Row(materializer.Model, $"{kind} {chosen.Label}", kind, string.Create(inv, $"best of {points.Count} on dev ({Path.GetFileName(chosen.File)})"), chosen.Dev);
        }
        if (config.Models.Count < 2) yield break;
        string[] names = [.. config.Models.Select(m => Path.GetFileName(m.TrimEnd('/')))];
        var soup = GreedySoup.Cook(sourceDevAverages, tried =>
        {
            var point = SweepPlan.Soup(tried, names);
            double dev = Dev(point);
            _log(string.Create(inv, $"greedy soup try {point.Label}: dev average {dev:0.0000}"));
            Step();
            return dev;
        });
        Dev(SweepPlan.Soup(soup.Soup, names));
        yield return Row(materializer.Model, "greedy soup {" + string.Join(", ", soup.Soup.Select(s => names[s])) + "}", GreedySoupKind,
            string.Create(inv, $"greedy soup on dev (kept {soup.Soup.Count} of {names.Length}; tried {string.Join(", ", soup.Order.Select(o => names[o]))})"), soup.Score);
    }

    /// <summary>The kind of the greedy-soup row.</summary>
    public const string GreedySoupKind = "greedy soup";

    private IEnumerable<DemoTableRow> Evolved(IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> entries)
    {
        if (entries.Count == 0) yield break;
        var archive = entries.Select(e => e.Payload).ToArray();
        var objectives = _setup.Config.Objectives;
        using var materializer = _setup.CreateMaterializer();
        var dev = new double[archive.Length];
        for (int k = 0; k < archive.Length; k++)
        {
            materializer.Materialize(_setup.Composer.Compose(_setup.Layout.Decode(archive[k].Genome)));
            dev[k] = DevAverage(materializer.Model, archive[k]);
            _log(string.Create(CultureInfo.InvariantCulture, $"archive member #{k}: dev average {dev[k]:0.0000}"));
            Step();
        }
        MemberDevAverages = dev;
        var chosen = new List<(int Member, string Note)>
        {
            (ReportedMemberRule.Select(entries, dev), string.Create(CultureInfo.InvariantCulture, $"best dev average of the {archive.Length} archive members")),
        };
        for (int j = 0; j < objectives.Count && objectives.Count > 1; j++)
        {
            int best = Enumerable.Range(0, archive.Length).MaxBy(k => (archive[k].Objectives[j], dev[k]));
            if (chosen.All(c => c.Member != best)) chosen.Add((best, $"best dev {objectives[j].Name} in the archive"));
        }
        _reported = chosen[0].Member;
        _total -= MostChosen() - chosen.Count;
        _steps(_done, _total);
        foreach (var (member, note) in chosen)
        {
            materializer.Materialize(_setup.Composer.Compose(_setup.Layout.Decode(archive[member].Genome)));
            yield return Row(materializer.Model, $"evolved #{member}", "evolved", note, dev[member]);
        }
    }

    /// <summary>The kind of the routed row.</summary>
    public const string RoutedKind = "routed";

    /// <summary>
    /// The routed row (docs/routed-merges.md): backbone = the reported evolved member (best dev average), one low-rank
    /// expert per source (its residual against the backbone), prototypes from the first
    /// <see cref="TaskProxyActivations.MaxPrompts"/> prompts of each source's skill's dev answer split (the esm proxy
    /// prompts of experiments/subspace). Each <see cref="RoutedGridPoint.Grid"/> point is written in the routed format
    /// to a temporary directory, read back as <c>evomerge eval</c> reads it and scored on dev; the best dev average
    /// (<see cref="RoutedRowChoice"/>) is scored on test. No row when a source is not one of the demo's skills.
    /// </summary>
    private IEnumerable<DemoTableRow> Routed(IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> archive)
    {
        if (_reported is not { } member) yield break;
        var config = _setup.Config;
        var grid = RoutedGridPoint.Grid(config.Models.Count);
        string[] names = [.. config.Models.Select(m => Path.GetFileName(m.TrimEnd('/')))];
        string[] proxies = [.. names.Select(n => Path.Combine(_datasets, n, $"{n}-answer.yml"))];
        if (!names.All(n => SyntheticSkill.All.Any(skill => skill.Name == n)))
        {
            _log($"no routed row: the sources ({string.Join(", ", names)}) are not the demo's skills, so they have no dev prompts to route by");
            _total -= grid.Count + 1;
            _steps(_done, _total);
            yield break;
        }
        var experts = config.Models.Select((m, i) => new ModelReference(names[i], m, 0)).ToList();
        string work = Path.Combine(Path.GetTempPath(), "evomerge-demo-routed-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            string backbone = Path.Combine(work, "backbone");
            ModelExporter.Export(_setup, archive, member, backbone);
            var dev = new List<double>();
            for (int p = 0; p < grid.Count; p++)
            {
                string directory = WriteRouted(backbone, Path.Combine(work, $"point-{p}"), experts, proxies, grid[p].Block(names));
                using (var model = ModelDirectory.OpenRoutedAware(directory))
                using (var decoder = DecoderModel.Load(model, config.DType))
                    dev.Add(DevAverage(decoder, null));
                _log(string.Create(CultureInfo.InvariantCulture, $"routed {grid[p].Label} on evolved #{member}: dev average {dev[p]:0.0000}"));
                Step();
            }
            int best = RoutedRowChoice.Best(dev);
            using var chosen = ModelDirectory.OpenRoutedAware(Path.Combine(work, $"point-{best}"));
            using var routed = DecoderModel.Load(chosen, config.DType);
            LogRouting(routed, names);
            long backboneParameters = routed.Parameters.Values.Sum(t => t.numel());
            _log(string.Create(CultureInfo.InvariantCulture,
                $"routed {grid[best].Label}: {backboneParameters} backbone parameters + {routed.Experts!.ParameterCount} expert and router parameters"));
            yield return Row(routed, $"routed {grid[best].Label}", RoutedKind,
                $"best of {grid.Count} on dev (rank × router) over evolved #{member}, one expert per source", dev[best]);
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// Logs the routed row's paired differences (same test documents) against the reported evolved member and the
    /// upper bound, as experiments/routed reads them.
    /// </summary>
    private void LogRoutedPairs(IReadOnlyList<DemoTableRow> rows)
    {
        var routed = rows.FirstOrDefault(r => r.Kind == RoutedKind);
        if (routed is null) return;
        foreach (var other in new[] { rows.FirstOrDefault(r => r.Kind == "evolved"), rows.FirstOrDefault(r => r.Kind == "upper bound") })
        {
            if (other is null) continue;
            var (difference, error) = routed.Versus(other);
            _log(string.Create(CultureInfo.InvariantCulture, $"paired: {routed.Model} - {other.Model} = {100 * difference:+0.0;-0.0;0.0} ± {100 * error:0.0} points"));
        }
    }

    /// <summary>Writes backbone + experts of <paramref name="block"/> into <paramref name="directory"/> (a copy of <paramref name="backbone"/>).</summary>
    private static string WriteRouted(string backbone, string directory, IReadOnlyList<ModelReference> experts, IReadOnlyList<string> proxies, RoutedExpertsConfig block)
    {
        Directory.CreateDirectory(directory);
        foreach (string file in Directory.EnumerateFiles(backbone)) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        RoutedModelBuilder.Build(directory, experts, proxies, TaskProxyActivations.MaxPrompts, block);
        return directory;
    }

    /// <summary>
    /// Logs where the router sends each skill's first test prompts (answer split): per skill, how many go to each
    /// expert (the expert with the largest weight), the routing confusion on held-out prompts.
    /// </summary>
    private void LogRouting(DecoderModel routed, IReadOnlyList<string> names)
    {
        var router = routed.Experts!.Router;
        using var prompts = new TaskProxyActivations(_setup.Config.BaseModel, new Dictionary<string, string>(), TaskProxyActivations.MaxPrompts);
        foreach (string skill in names)
        {
            var counts = new int[names.Count];
            foreach (var prompt in prompts.Prompts(Path.Combine(_datasets, skill, $"{skill}-answer-test.yml")))
            {
                using var scope = torch.NewDisposeScope();
                var state = RouterPrototypes.Collect(routed, routed.Experts.Config.RouterLayer, [[prompt]]);
                counts[(int)router.Of(state).argmax(-1).item<long>()]++;
            }
            _log($"routing of {skill} test prompts: " + string.Join(", ", names.Select((n, i) => $"{n} {counts[i]}")));
        }
    }

    /// <summary>What the dev average averages, as recorded for <c>evomerge export --member best</c> (<see cref="ReportedMemberRule"/>).</summary>
    /// <summary>What <see cref="MemberDevAverages"/> average (the dev tasks, with the document limit if any).</summary>
    public string DevAverageBasis => _limit is { } n
        ? string.Create(CultureInfo.InvariantCulture, $"mean of the table's {_devTasks.Count} dev columns on the first {n} documents of each")
        : $"mean of the table's {_devTasks.Count} dev columns ({string.Join(", ", _columns)})";

    /// <summary>
    /// Mean of the table's six columns on the dev splits (the first <c>limit</c> documents of each with a limit).
    /// Without a limit, a column that is also a search objective (same task file and metric) takes the value the search
    /// archived for <paramref name="member"/> instead of scoring it again.
    /// </summary>
    private double DevAverage(DecoderModel model, ArchiveMember? member)
    {
        var evaluator = new Evaluator(model, _tokenizer, new EvaluatorOptions { GenerationBatchSize = 256 });
        return _devTasks.Average(column =>
        {
            _stopping.ThrowIfCancellationRequested();
            return member is not null && _limit is null && column.Objective >= 0
                ? member.Objectives[column.Objective]
                : evaluator.Evaluate(column.Task).Metric(column.Metric).Value;
        });
    }

    /// <summary>The most evolved rows: the best dev average, and with several objectives the best of each.</summary>
    private int MostChosen() => 1 + (_setup.Config.Objectives.Count > 1 ? _setup.Config.Objectives.Count : 0);

    /// <summary>One model scored: reports the steps and stops here when asked to.</summary>
    private void Step()
    {
        _steps(++_done, _total);
        _stopping.ThrowIfCancellationRequested();
    }

    private DemoTableRow Row(DecoderModel model, string label, string kind, string note, double dev)
    {
        var clock = Stopwatch.StartNew();
        var evaluator = new Evaluator(model, _tokenizer, new EvaluatorOptions { GenerationBatchSize = 256 });
        var results = _testTasks.Select(task =>
        {
            _stopping.ThrowIfCancellationRequested();
            return evaluator.Evaluate(task);
        }).ToList();
        var test = results.Select(result =>
        {
            var metric = result.Metric(result.Kind == EvalTaskKind.MultipleChoice ? "acc" : "exact_match");
            return (metric.Value, metric.StandardError ?? 0.0, metric.Count);
        }).ToList();
        var documents = results.Select(result => result.Records.Select(DocumentScore).ToArray()).ToList();
        double average = test.Average(t => t.Value);
        double error = MetricStatistics.MeanOfIndependentError([.. test.Select(t => t.Item2)]);
        _log(string.Create(CultureInfo.InvariantCulture, $"scored {label} on test in {clock.Elapsed.TotalSeconds:0.0}s: average {average:0.0000}"));
        Step();
        return new DemoTableRow(label, kind, note, dev, test, average, error, documents);
    }

    /// <summary>The table's per-document score: acc for a multiple-choice document, exact_match for a generated answer.</summary>
    private static double DocumentScore(DocumentRecord record) => record switch
    {
        MultipleChoiceRecord choice => choice.Correct ? 1 : 0,
        GenerationRecord answer => answer.Correct ? 1 : 0,
        _ => throw new InvalidDataException($"document {record.DocIndex}: the demo table scores multiple-choice and generated answers only"),
    };
}
