using EvoMerge.Evaluation;
using EvoMerge.Merging;
using EvoMerge.Optimization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Materialization;
using EvoMerge.Search.Proxy;
using EvoMerge.Search.Scoring;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Runs;

/// <summary>
/// A config made ready to search: the models checked (same layer count; every source's tensor names, shapes and
/// dtype kinds equal to the base's, from the headers alone, see <see cref="SourceTensorCheck"/>), the genome layout, the
/// recipe composer and the opened eval tasks (the tokenizer loaded once from the base model; a task on a test split
/// refused as an objective unless allowed; metrics checked; an objective without <c>direction</c> takes its metric's). Shared by the run loop, the dry run and export.
/// LoRA sources (<c>BASE+ADAPTER</c>) are materialised under the run directory first (<see cref="LoraSources"/>).
/// </summary>
public sealed class SearchSetup
{
    private SearchSetup(SearchConfig config, RunInfo info, GenomeLayout layout, RecipeComposer composer,
        IReadOnlyDictionary<string, ITaskScorer> tasks)
    {
        Config = config;
        Info = info;
        Layout = layout;
        Composer = composer;
        Tasks = tasks;
    }

    public SearchConfig Config { get; }

    /// <summary>Seeds and config origin.</summary>
    public RunInfo Info { get; }

    public GenomeLayout Layout { get; }

    public RecipeComposer Composer { get; }

    /// <summary>Task scorers by task file (full path).</summary>
    public IReadOnlyDictionary<string, ITaskScorer> Tasks { get; }

    /// <summary>Seeds derived from the config seed: optimizer = seed, screening and merge from SplitMix64 steps.</summary>
    public static RunInfo DeriveInfo(SearchConfig config, string configDirectory)
    {
        var random = new SearchRandom(config.Seed);
        return new RunInfo(Path.GetFullPath(config.File), configDirectory, config.Seed, config.Seed, random.NextUInt64(), config.Seed);
    }

    /// <summary>Checks the models and opens the tasks. Problems are one-line errors naming the config file and path.</summary>
    public static SearchSetup Create(SearchConfig config, RunInfo info)
    {
        config = LoraSources.Materialize(config);
        if (!Directory.Exists(config.BaseModel)) throw SearchConfigReader.ErrorAt(config, "base_model", $"model directory {config.BaseModel} not found");
        using var baseModel = ModelDirectory.Open(config.BaseModel);
        int layers = baseModel.Config.NumHiddenLayers;
        foreach (var (path, at) in config.Models.Select((m, i) => (m, $"models[{i}]")))
        {
            if (!Directory.Exists(path)) throw SearchConfigReader.ErrorAt(config, at, $"model directory {path} not found");
            using var model = ModelDirectory.Open(path);
            int own = model.Config.NumHiddenLayers;
            if (own != layers)
                throw SearchConfigReader.ErrorAt(config, at, $"{model.ConfigPath} has {own} layers, the base model {layers}; the search merges fine-tunes of one base");
            if (SourceTensorCheck.FirstMismatch(baseModel, model) is { } mismatch) throw SearchConfigReader.ErrorAt(config, at, mismatch);
        }
        if (config.Genome.LayerGroups > layers)
            throw SearchConfigReader.ErrorAt(config, "genome.layer_groups", $"must be ≤ the models' {layers} layers");
        if (config.Genome.Routed is { } routed && routed.Layer >= layers)
            throw SearchConfigReader.ErrorAt(config, "genome.routed.layer", $"must be below the models' {layers} layers (got {routed.Layer})");
        var layout = new GenomeLayout(config.Genome, config.Models.Count, layers, config.Methods);
        var composer = new RecipeComposer(layout, config.BaseModel, config.Models, config.DType, info.MergeSeed, config.Methods.Get, config.ProxyTasks, config.ProxyPrompts,
            baseModel.Config.ModelType);

        var tokenizer = TextTokenizer.Load(config.BaseModel);
        var tasks = new Dictionary<string, ITaskScorer>(StringComparer.Ordinal);
        foreach (string file in config.TaskFiles) tasks[file] = EvalTaskScorer.Open(file, tokenizer, config.BatchTokenBudget);
        var names = tasks.Values.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (names is not null)
            throw SearchConfigReader.ErrorAt(config, "objectives", $"two task files share the task name '{names.Key}' ({string.Join(", ", names.Select(t => t.File))})");
        foreach (var objective in config.Objectives)
        {
            var task = tasks[objective.Task];
            RefuseTestSplit(config, task, objective.ConfigPath + ".task");
            if (!task.Metrics.Contains(objective.Metric))
                throw SearchConfigReader.ErrorAt(config, objective.ConfigPath + ".metric", $"task '{task.Name}' has no metric '{objective.Metric}' (metrics: {string.Join(", ", task.Metrics)})");
        }
        config = config with
        {
            Objectives = config.Objectives.Select(o => o.DirectionGiven ? o : o with { Maximize = tasks[o.Task].HigherIsBetter(o.Metric) }).ToList(),
        };
        foreach (var constraint in config.Constraints)
        {
            var task = tasks[constraint.Task];
            RefuseTestSplit(config, task, constraint.ConfigPath + ".task");
            if (!task.Metrics.Contains(constraint.Metric))
                throw SearchConfigReader.ErrorAt(config, constraint.ConfigPath + ".metric", $"task '{task.Name}' has no metric '{constraint.Metric}' (metrics: {string.Join(", ", task.Metrics)})");
            if (!task.HigherIsBetter(constraint.Metric))
                throw SearchConfigReader.ErrorAt(config, constraint.ConfigPath + ".metric", $"'{constraint.Metric}' is better when lower; a constraint's 'minimum' cannot bound it");
        }
        return new SearchSetup(config, info, layout, composer, tasks);
    }

    /// <summary>
    /// Refuses a task whose items or few-shot examples come from a test split (unless allow_test_split): scoring
    /// candidates with it, as an objective or a constraint, leaks the test set into model selection.
    /// </summary>
    private static void RefuseTestSplit(SearchConfig config, ITaskScorer task, string at)
    {
        if (config.AllowTestSplit) return;
        if (task.IsTestSplit)
            throw SearchConfigReader.ErrorAt(config, at,
                $"task '{task.Name}' uses the test split ('{task.Split}'); optimising on it leaks the test set into model selection (set allow_test_split: true to override)");
        if (task.FewshotIsTestSplit)
            throw SearchConfigReader.ErrorAt(config, at,
                $"task '{task.Name}' draws its few-shot examples from the test split ('{task.FewshotSplit}'); optimising on it leaks the test set into model selection (set allow_test_split: true to override)");
    }

    /// <summary>
    /// The setup of an existing run directory (its saved config and seeds), with the run directory set to it; the
    /// config is read against <paramref name="methods"/> (default: <see cref="MergeMethodRegistry.Default"/>).
    /// </summary>
    public static SearchSetup Open(string runDirectory, MergeMethodRegistry? methods = null)
    {
        var files = new RunFiles(Path.GetFullPath(runDirectory));
        if (!File.Exists(files.Run) || !File.Exists(files.Config))
            throw new FileNotFoundException($"{runDirectory}: not a run directory (no run.json / config.yml)", files.Run);
        var info = RunStore.ReadInfo(files);
        var config = SearchConfigReader.Parse(File.ReadAllText(files.Config), info.ConfigFile, info.ConfigDirectory, methods, files.Directory);
        return Create(config, info);
    }

    /// <summary>A materialiser for this setup (loads the base and source models).</summary>
    public CandidateMaterializer CreateMaterializer() =>
        new(Config.BaseModel, Config.Models, Config.DType, Layout.SlotCount, Config.Methods.Get,
            Config.ProxyTasks is { } tasks
                ? new TaskProxyActivations(Config.BaseModel, Config.Models.Zip(tasks).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal), Config.ProxyPrompts)
                : null,
            Config.FactorCacheMegabytes << 20, Config.Methods);

    /// <summary>An evaluator over this setup's tasks.</summary>
    public CandidateEvaluator CreateEvaluator() => new(Config, Tasks);
}
