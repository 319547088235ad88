using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Merging;

namespace EvoMerge.Search.Configuration;

/// <summary>
/// A mergekit-evolve config (<c>mergekit/evo/config.py</c>): its <c>genome</c> (models, base model, merge method, layer
/// granularity and the optional flags) and its <c>tasks</c>, plus the evaluation keys beside them. Read with
/// <see cref="Read"/>; <see cref="EvolveConfigConverter"/> turns it into an EvoMerge search config. Paths are as written.
/// </summary>
public sealed record MergekitEvolveConfig
{
    private static readonly string[] GenomeKeys =
        ["models", "merge_method", "base_model", "tokenizer_source", "layer_granularity", "normalize", "allow_negative_weights", "filters", "smooth"];

    private static readonly string[] EvaluationKeys =
        ["limit", "num_fewshot", "shuffle", "random_init", "apply_chat_template", "fewshot_as_multiturn", "batch_size"];

    /// <summary>The config file as named by the caller (used in messages).</summary>
    public required string File { get; init; }

    /// <summary><c>genome.models</c>, as written.</summary>
    public required IReadOnlyList<string> Models { get; init; }

    /// <summary><c>genome.merge_method</c>: a method EvoMerge can search (mergekit-evolve's linear, task_arithmetic, ties, dare_ties and slerp among them).</summary>
    public required string MergeMethod { get; init; }

    /// <summary><c>genome.base_model</c>, as written, or null.</summary>
    public string? BaseModel { get; init; }

    /// <summary><c>genome.tokenizer_source</c>, or null.</summary>
    public string? TokenizerSource { get; init; }

    /// <summary><c>genome.layer_granularity</c>: layers per parameter set; 0 means one set for all layers.</summary>
    public int LayerGranularity { get; init; }

    /// <summary><c>genome.normalize</c>; null means mergekit-evolve's default (true for linear, ties and dare_ties).</summary>
    public bool? Normalize { get; init; }

    /// <summary><c>genome.allow_negative_weights</c>.</summary>
    public bool AllowNegativeWeights { get; init; }

    /// <summary><c>genome.filters</c>: tensor-name filters with a parameter set each (plus one for the rest); empty when absent.</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];

    /// <summary><c>genome.smooth</c>: parameters interpolated across layers.</summary>
    public bool Smooth { get; init; }

    /// <summary>Top-level <c>random_init</c>: the first CMA-ES mean drawn at random instead of mergekit's uniform weights.</summary>
    public bool RandomInit { get; init; }

    /// <summary>The tasks, in order.</summary>
    public required IReadOnlyList<MergekitEvolveTask> Tasks { get; init; }

    /// <summary>Evaluation keys EvoMerge has no config equivalent for (<c>limit</c>, <c>num_fewshot</c>, …), with their values as written.</summary>
    public IReadOnlyDictionary<string, string> UnmappedKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>Where each key was written: its line, for messages.</summary>
    public required LocatedJson Document { get; init; }

    /// <summary>Keys mergekit-evolve does not know (it ignores them too), as config paths.</summary>
    public IReadOnlyList<string> UnknownKeys { get; init; } = [];

    /// <summary>True when <paramref name="root"/> is a mergekit-evolve config: a top-level <c>genome</c> holding <c>models</c>.</summary>
    public static bool IsEvolveDocument(JsonNode? root) => root is JsonObject top && top["genome"] is JsonObject genome && genome.ContainsKey("models");

    /// <summary>"FILE:LINE: PATH: TEXT" for a key of this config (warnings and errors).</summary>
    public string At(string path, string text) => Document.LineOf(path) is { } line ? $"{File}:{line}: {path}: {text}" : $"{File}: {path}: {text}";

    /// <summary>
    /// Reads a mergekit-evolve config from its text; errors name <paramref name="file"/>, the line and the key. The merge
    /// method may be any that <paramref name="methods"/> (default: <see cref="MergeMethodRegistry.Default"/>) can search.
    /// </summary>
    public static MergekitEvolveConfig Read(string text, string file, MergeMethodRegistry? methods = null)
    {
        methods ??= MergeMethodRegistry.Default;
        var document = LocatedJson.Parse(text, file);
        SearchConfigException Error(string path, string problem) => new(file, document.LineOf(path), $"{path}: {problem}");
        if (!IsEvolveDocument(document.Root)) throw new SearchConfigException(file, null, "not a mergekit-evolve config (it needs a top-level genome holding models)");
        var root = document.Root!.AsObject();
        var genome = root["genome"]!.AsObject();
        var unknown = genome.Select(p => p.Key).Where(k => !GenomeKeys.Contains(k)).Select(k => "genome." + k).ToList();
        unknown.AddRange(root.Select(p => p.Key).Where(k => k is not ("genome" or "tasks") && !EvaluationKeys.Contains(k)));

        string? Text(JsonObject parent, string key, string path)
        {
            var node = parent[key];
            if (node is null) return null;
            if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String) return value.GetValue<string>();
            throw Error(path, "must be a string");
        }
        bool? Flag(JsonObject parent, string key, string path)
        {
            var node = parent[key];
            if (node is null) return null;
            if (node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return value.GetValue<bool>();
            throw Error(path, "must be true or false");
        }
        IReadOnlyList<string> Strings(JsonObject parent, string key, string path)
        {
            var node = parent[key];
            if (node is null) return [];
            if (node is not JsonArray array) throw Error(path, "must be a list of strings");
            var items = new List<string>();
            for (int i = 0; i < array.Count; i++)
            {
                if (array[i] is JsonValue value && value.GetValueKind() == JsonValueKind.String) items.Add(value.GetValue<string>());
                else throw Error(LocatedJson.Item(path, i), "must be a string");
            }
            return items;
        }

        var models = Strings(genome, "models", "genome.models");
        if (models.Count == 0) throw Error("genome.models", "lists no models");
        string method = Text(genome, "merge_method", "genome.merge_method") ?? throw Error("genome", "merge_method is required");
        if (!methods.Contains(method) || methods.Get(method).Search is null)
            throw Error("genome.merge_method", $"'{method}' is not a merge method EvoMerge can search ({string.Join(", ", methods.Searchable.Select(m => m.Name))})");
        string? baseModel = Text(genome, "base_model", "genome.base_model");
        int granularity = 0;
        if (genome["layer_granularity"] is { } g)
        {
            if (g is not JsonValue gv || gv.GetValueKind() != JsonValueKind.Number || !gv.TryGetValue(out int parsed))
                throw Error("genome.layer_granularity", "must be a whole number");
            granularity = parsed;
        }
        var filters = Strings(genome, "filters", "genome.filters");
        bool smooth = Flag(genome, "smooth", "genome.smooth") ?? false;

        if (root["tasks"] is not JsonArray taskArray) throw Error("tasks", root.ContainsKey("tasks") ? "must be a list of tasks" : "is required");
        if (taskArray.Count == 0) throw Error("tasks", "lists no tasks");
        var tasks = new List<MergekitEvolveTask>();
        for (int i = 0; i < taskArray.Count; i++)
        {
            string at = LocatedJson.Item("tasks", i);
            switch (taskArray[i])
            {
                case JsonValue name when name.GetValueKind() == JsonValueKind.String:
                    tasks.Add(new MergekitEvolveTask(name.GetValue<string>(), 1.0, "acc,none", at));
                    break;
                case JsonObject task:
                    unknown.AddRange(task.Select(p => p.Key).Where(k => k is not ("name" or "weight" or "metric")).Select(k => LocatedJson.Child(at, k)));
                    string taskName = Text(task, "name", at + ".name") ?? throw Error(at, "name is required");
                    double weight = 1.0;
                    if (task["weight"] is { } w)
                    {
                        if (w is not JsonValue wv || wv.GetValueKind() != JsonValueKind.Number || !double.IsFinite(weight = wv.GetValue<double>()))
                            throw Error(at + ".weight", "must be a finite number");
                    }
                    tasks.Add(new MergekitEvolveTask(taskName, weight, Text(task, "metric", at + ".metric") ?? "acc,none", at));
                    break;
                default:
                    throw Error(at, "must be a task name or {name, weight, metric}");
            }
        }

        return new MergekitEvolveConfig
        {
            File = file,
            Document = document,
            Models = models,
            MergeMethod = method,
            BaseModel = baseModel,
            TokenizerSource = Text(genome, "tokenizer_source", "genome.tokenizer_source"),
            LayerGranularity = granularity >= 0 ? granularity : throw Error("genome.layer_granularity", "must be ≥ 0"),
            Normalize = Flag(genome, "normalize", "genome.normalize"),
            AllowNegativeWeights = Flag(genome, "allow_negative_weights", "genome.allow_negative_weights") ?? false,
            Filters = filters,
            Smooth = smooth,
            RandomInit = Flag(root, "random_init", "random_init") ?? false,
            Tasks = tasks,
            UnmappedKeys = EvaluationKeys.Where(k => k != "random_init" && root[k] is not null)
                .ToDictionary(k => k, k => root[k]!.ToJsonString(), StringComparer.Ordinal),
            UnknownKeys = unknown,
        };
    }

    /// <summary>
    /// mergekit-evolve's genome length: layer groups × models × parameter sets × the method's searched parameters (as
    /// <paramref name="methods"/> declares them: weight; weight and density for ties and dare_ties; t for slerp, as in
    /// mergekit-evolve's <c>METHOD_PARAM_MAPS</c>).
    /// </summary>
    public int GenomeLength(int layers, MergeMethodRegistry methods) =>
        (LayerGranularity > 0 ? layers / LayerGranularity : 1) * Models.Count * (Filters.Count + 1) * methods.Get(MergeMethod).Parameters.Count(p => p.Gene is not null);

    /// <summary>The default CMA-ES population of the <c>cma</c> package that mergekit-evolve uses: 4 + ⌊3 ln n⌋.</summary>
    public static int DefaultPopulation(int genomeLength) => 4 + (int)Math.Floor(3.0 * Math.Log(genomeLength));
}
