using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EvoMerge.Merging;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Configuration;

/// <summary>
/// Turns a <see cref="MergekitEvolveConfig"/> into the equivalent EvoMerge search config (YAML text):
/// <list type="bullet">
/// <item>the genome's models, base model and method; <c>layer_granularity</c> g → <c>layer_groups</c> = layers / g
/// (layers from the first model's <c>config.json</c>, as mergekit-evolve reads them), 1 without it; <c>filters</c>,
/// <c>smooth</c>, <c>allow_negative_weights</c>, <c>normalize</c> and the top-level <c>random_init</c> → the genome keys of
/// the same names, written only when they differ from the default;</item>
/// <item>each task → one objective on the mapped task YAML with the metric before lm-eval's filter, <c>direction:
/// maximize</c> and its weight, or for a negative weight w <c>direction: minimize</c> and weight −w: CMA-ES ranks by
/// Σ weight × (value, negated when maximised), which is then exactly minus mergekit-evolve's score Σ w × metric;</item>
/// <item>mergekit-evolve's optimizer: CMA-ES with σ₀ = 1/6, the <c>cma</c> package's default population 4 + ⌊3 ln n⌋ for
/// mergekit-evolve's genome length n, no restarts (its <c>cma.fmin2</c> call makes none), <c>--max-fevals</c> (default 100)
/// candidates, seed 0 (its <c>--random-seed</c> default).</item>
/// </list>
/// Keys EvoMerge has no equivalent for are warnings naming the key; unmapped tasks are one error listing them all.
/// </summary>
public static partial class EvolveConfigConverter
{
    /// <summary>
    /// Converts <paramref name="config"/>, whose relative paths resolve against <paramref name="configDirectory"/>,
    /// into a search config whose paths are relative to <paramref name="outputDirectory"/>.
    /// </summary>
    public static EvolveConversion Convert(MergekitEvolveConfig config, string configDirectory, EvolveImportOptions options, string outputDirectory)
    {
        var warnings = new List<string>();
        string FullPath(string path) => Path.GetFullPath(Path.Combine(configDirectory, path));
        string Relative(string fullPath) => Path.GetRelativePath(outputDirectory, fullPath);

        foreach (string key in config.UnknownKeys) warnings.Add(config.At(key, "not a mergekit-evolve key; ignored (as mergekit-evolve does)"));
        foreach (var (key, _) in config.UnmappedKeys) warnings.Add(config.At(key, UnmappedKeyNote(key)));
        if (config.TokenizerSource is { } source && source != "base")
            warnings.Add(config.At("genome.tokenizer_source", $"'{source}': an EvoMerge search scores every candidate with the base model's tokenizer; ignored"));

        string baseModel = FullPath(config.BaseModel ?? throw new SearchConfigException(config.File, config.Document.LineOf("genome"),
            $"genome: base_model is required: an EvoMerge search merges task vectors (model − base), also for {config.MergeMethod}"));
        var models = new List<string>();
        for (int i = 0; i < config.Models.Count; i++)
        {
            string model = FullPath(config.Models[i]);
            if (model == baseModel)
                warnings.Add(config.At(LocatedJson.Item("genome.models", i), "the base model is not a source in an EvoMerge search (its task vector is zero); left out"));
            else if (!models.Contains(model)) models.Add(model);
        }

        int layerGroups = 1, layers = 0;
        if (config.LayerGranularity > 0)
        {
            string modelConfig = Path.Combine(FullPath(config.Models[0]), "config.json");
            layers = ModelConfig.Load(modelConfig).NumHiddenLayers;
            if (layers % config.LayerGranularity != 0)
                throw new SearchConfigException(config.File, config.Document.LineOf("genome.layer_granularity"),
                    $"genome.layer_granularity: {config.LayerGranularity} does not divide the {layers} layers of {modelConfig}");
            layerGroups = layers / config.LayerGranularity;
        }

        var objectives = Objectives(config, options, warnings);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# EvoMerge search config converted from the mergekit-evolve config {Path.GetFileName(config.File)} (README: \"Bring a mergekit-evolve config\").");
        text.AppendLine("# CMA-ES ranks candidates by the sum of weight x value (negated when maximised): minus mergekit-evolve's score, the sum of its weight x metric.");
        text.AppendLine(CultureInfo.InvariantCulture, $"base_model: {Scalar(Relative(baseModel))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"models: [{string.Join(", ", models.Select(m => Scalar(Relative(m))))}]");
        text.AppendLine("objectives:");
        bool anyZero = objectives.Any(o => o.Task.Weight == 0);
        foreach (var (name, task, file) in objectives)
        {
            string weight = anyZero || Math.Abs(task.Weight) == 1 ? "" : $", weight: {Number(Math.Abs(task.Weight))}";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  - {{name: {Scalar(name)}, task: {Scalar(Relative(file))}, metric: {Scalar(task.MetricName)}, direction: {(task.Weight < 0 ? "minimize" : "maximize")}{weight}}}");
        }
        text.AppendLine("genome:");
        text.AppendLine(CultureInfo.InvariantCulture, $"  methods: [{config.MergeMethod}]");
        text.AppendLine(CultureInfo.InvariantCulture, $"  layer_groups: {layerGroups}");
        if (config.Filters.Count > 0) text.AppendLine(CultureInfo.InvariantCulture, $"  filters: [{string.Join(", ", config.Filters.Select(Scalar))}]");
        if (config.Smooth) text.AppendLine("  smooth: true");
        if (config.AllowNegativeWeights) text.AppendLine("  allow_negative_weights: true");
        if (config.Normalize is { } normalize) text.AppendLine(CultureInfo.InvariantCulture, $"  normalize: {(normalize ? "true" : "false")}");
        if (config.RandomInit) text.AppendLine("  random_init: true");
        int population = MergekitEvolveConfig.DefaultPopulation(config.GenomeLength(layers, MergeMethodRegistry.Default));
        string objectiveWeights = anyZero ? $", objective_weights: [{string.Join(", ", objectives.Select(o => Number(Math.Abs(o.Task.Weight))))}]" : "";
        text.AppendLine("optimizer:");
        text.AppendLine("  name: cmaes");
        text.AppendLine(CultureInfo.InvariantCulture, $"  settings: {{initial_sigma: {Number(1.0 / 6.0)}, population_size: {population}, restarts: false{objectiveWeights}}}");
        text.AppendLine(CultureInfo.InvariantCulture, $"budget: {{evaluations: {options.MaxFevals ?? EvolveImportOptions.DefaultMaxFevals}}}");
        text.AppendLine("seed: 0");
        return new EvolveConversion(text.ToString(), warnings);
    }

    /// <summary>Each task with its objective name and task file; unmapped tasks are one error naming them all.</summary>
    private static List<(string Name, MergekitEvolveTask Task, string File)> Objectives(MergekitEvolveConfig config, EvolveImportOptions options, List<string> warnings)
    {
        string? Lookup(string name) =>
            options.TaskMap.TryGetValue(name, out string? mapped) ? mapped
            : options.TasksDirectory is { } dir && Path.Combine(dir, name + ".yml") is var candidate && File.Exists(candidate) ? candidate
            : null;
        var unmapped = config.Tasks.Select(t => t.Name).Where(n => Lookup(n) is null).Distinct(StringComparer.Ordinal).ToList();
        if (unmapped.Count > 0)
            throw new SearchConfigException(config.File, config.Document.LineOf("tasks"),
                $"tasks: no EvoMerge task file for {string.Join(", ", unmapped)} (map each with --task-map NAME=FILE.yml, or put NAME.yml in --tasks-dir DIR)");
        foreach (string name in options.TaskMap.Keys.Where(n => config.Tasks.All(t => t.Name != n)))
            warnings.Add($"--task-map {name}: {config.File} has no task '{name}'; ignored");

        var result = new List<(string, MergekitEvolveTask, string)>();
        foreach (var task in config.Tasks)
        {
            string file = Lookup(task.Name)!;
            if (!File.Exists(file)) throw new SearchConfigException(config.File, config.Document.LineOf(task.ConfigPath), $"{task.ConfigPath}: task '{task.Name}' is mapped to {file}, which does not exist");
            if (task.Filter != "none")
                warnings.Add(config.At(task.ConfigPath + ".metric", $"lm-eval filter '{task.Filter}' has no EvoMerge equivalent (the task YAML's extract_regex and normalize decide); scoring {task.MetricName}"));
            bool repeated = config.Tasks.Count(t => t.Name == task.Name) > 1;
            if (config.Tasks.TakeWhile(t => t != task).Any(t => t.Name == task.Name && t.MetricName == task.MetricName))
                throw new SearchConfigException(config.File, config.Document.LineOf(task.ConfigPath), $"{task.ConfigPath}: task '{task.Name}' with metric {task.MetricName} is listed twice; give it once with the summed weight");
            result.Add((repeated ? $"{task.Name}.{task.MetricName}" : task.Name, task, file));
        }
        return result;
    }

    private static string UnmappedKeyNote(string key) => key switch
    {
        "limit" => "EvoMerge takes a task's document limit from its task YAML (limit:); ignored",
        "num_fewshot" => "EvoMerge takes few-shot counts from each task YAML (num_fewshot:); ignored",
        "shuffle" => "EvoMerge scores a task's documents in file order; ignored",
        "apply_chat_template" or "fewshot_as_multiturn" => "EvoMerge eval tasks score the prompt as written, without a chat template; ignored",
        "batch_size" => "EvoMerge batches by tokens (evaluation.batch_token_budget); ignored",
        _ => "has no EvoMerge equivalent; ignored",
    };

    /// <summary>A YAML scalar: plain when it reads back as the same string, else double-quoted (JSON escapes).</summary>
    private static string Scalar(string value) =>
        PlainScalar().IsMatch(value) && value is not ("true" or "false" or "null" or "True" or "False" or "Null" or "TRUE" or "FALSE" or "NULL")
            ? value : JsonSerializer.Serialize(value);

    private static string Number(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^[A-Za-z_./][A-Za-z0-9_./-]*$")]
    private static partial Regex PlainScalar();
}
