using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Merging;
using EvoMerge.Merging.Methods;
using EvoMerge.Optimization;
using EvoMerge.Optimization.CmaEs;
using EvoMerge.Optimization.Nsga2;
using EvoMerge.Optimization.Random;
using EvoMerge.Search.Genomes;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Yaml;

namespace EvoMerge.Search.Configuration;

/// <summary>
/// Reads a search config (YAML or JSON): validates it against <c>search-space.schema.json</c> and then the rules the
/// schema cannot say (ranges ordered and within their genes' bounds, methods searchable in this build, source counts
/// per method, optimizer settings). The methods' declarations come from a <see cref="MergeMethodRegistry"/>.
/// Every error is one line naming the file, the line and the path, e.g.
/// <c>search.yml:7: genome.layer_groups: must be ≥ 1</c>.
/// </summary>
public sealed class SearchConfigReader
{
    private readonly string _file;
    private readonly string _directory;
    private readonly LocatedJson _document;
    private readonly MergeMethodRegistry _methods;

    /// <summary>
    /// Largest population (nsga2, cmaes <c>population_size</c>) or batch (random <c>batch_size</c>) a config may ask
    /// for; the schema bounds the other lists and counts (README, "Input limits").
    /// </summary>
    public const int MaxPopulationSize = 10_000;

    private SearchConfigReader(string file, string directory, LocatedJson document, MergeMethodRegistry methods)
    {
        _file = file;
        _directory = directory;
        _document = document;
        _methods = methods;
    }

    /// <summary>
    /// Reads a config file; relative paths resolve against its directory. <paramref name="methods"/> are the merge
    /// methods it may name (default: <see cref="MergeMethodRegistry.Default"/>); <paramref name="runDirectory"/>, when
    /// given, replaces the config's <c>run_dir</c> (which may then be absent).
    /// </summary>
    public static SearchConfig ReadFile(string path, MergeMethodRegistry? methods = null, string? runDirectory = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: search config not found", path);
        string text;
        try
        {
            text = YamlDocumentLoader.ReadText(path);
        }
        catch (YamlInputException e)
        {
            throw new SearchConfigException(path, e.Line, e.Problem);
        }
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!, methods, runDirectory);
    }

    /// <summary>
    /// Parses config text; <paramref name="file"/> names it in messages, relative paths resolve against
    /// <paramref name="directory"/>, and the schema's method list and gene ranges come from <paramref name="methods"/>.
    /// <paramref name="runDirectory"/> (a full path), when given, replaces the config's <c>run_dir</c>; without either
    /// the config is refused with an error naming <c>run_dir</c>.
    /// </summary>
    public static SearchConfig Parse(string text, string file, string directory, MergeMethodRegistry? methods = null, string? runDirectory = null)
    {
        methods ??= MergeMethodRegistry.Default;
        var document = LocatedJson.Parse(text, file);
        var errors = SearchSpaceSchema.ValidatorFor(methods).Validate(document.Root);
        var reader = new SearchConfigReader(file, directory, document, methods);
        if (errors.Count > 0) throw reader.GeneRangeOutsideDomain(document.Root) ?? reader.Error(errors[0].Path, errors[0].Message);
        return reader.Bind(text, document.Root!.AsObject(), runDirectory);
    }

    /// <summary>An error at a config path: "FILE:LINE: PATH: PROBLEM".</summary>
    public SearchConfigException Error(string path, string problem) =>
        new(_file, _document.LineOf(path), path.Length == 0 ? problem : $"{path}: {problem}");

    /// <summary>The error for a config already read, at one of its paths (e.g. a task on the test split).</summary>
    public static SearchConfigException ErrorAt(SearchConfig config, string path, string problem)
    {
        var document = LocatedJson.Parse(config.Text, config.File);
        return new SearchConfigException(config.File, document.LineOf(path), $"{path}: {problem}");
    }

    private SearchConfig Bind(string text, JsonObject root, string? runDirectory)
    {
        runDirectory ??= root["run_dir"] is { } runDir ? FullPath(runDir.GetValue<string>()) : null;
        if (runDirectory is null) throw Error("run_dir", "not set: give the run directory as run_dir in the config or with --run-dir (or EVOMERGE_RUN_DIR)");
        var models = root["models"]!.AsArray().Select((m, i) => (Path: ModelPath(m!.GetValue<string>(), LocatedJson.Item("models", i)), Index: i)).ToList();
        string baseModel = ModelPath(root["base_model"]!.GetValue<string>(), "base_model");
        foreach (var (path, index) in models)
        {
            if (path == baseModel) throw Error(LocatedJson.Item("models", index), "a source model cannot be the base model");
            if (models.Take(index).Any(m => m.Path == path)) throw Error(LocatedJson.Item("models", index), "model listed twice");
        }

        var objectives = new List<ObjectiveConfig>();
        var objectiveArray = root["objectives"]!.AsArray();
        for (int i = 0; i < objectiveArray.Count; i++)
        {
            var o = objectiveArray[i]!.AsObject();
            string at = LocatedJson.Item("objectives", i);
            string task = FullPath(o["task"]!.GetValue<string>());
            string metric = o["metric"]!.GetValue<string>();
            string name = o["name"]?.GetValue<string>() ?? $"{Path.GetFileNameWithoutExtension(task)}.{metric}";
            if (objectives.Any(x => x.Name == name)) throw Error(at, $"objective name '{name}' is used twice (set 'name' to tell them apart)");
            string? direction = o["direction"]?.GetValue<string>();
            objectives.Add(new ObjectiveConfig(name, task, metric, (direction ?? "maximize") == "maximize",
                o["weight"]?.GetValue<double>() ?? 1.0, o["reference"]?.GetValue<double>(), at, DirectionGiven: direction is not null));
        }

        var constraints = new List<ConstraintConfig>();
        if (root["constraints"] is JsonArray constraintArray)
        {
            for (int i = 0; i < constraintArray.Count; i++)
            {
                var c = constraintArray[i]!.AsObject();
                constraints.Add(new ConstraintConfig(FullPath(c["task"]!.GetValue<string>()), c["metric"]!.GetValue<string>(),
                    c["minimum"]!.GetValue<double>(), LocatedJson.Item("constraints", i)));
            }
        }

        var genome = BindGenome(root["genome"]!.AsObject(), models.Count);
        var budget = root["budget"]!.AsObject();
        var evaluation = root["evaluation"] as JsonObject;
        var cheap = evaluation?["cheap_first"] as JsonObject;
        var racing = evaluation?["racing"] as JsonObject;
        bool racingOn = racing is not null && (racing["enabled"]?.GetValue<bool>() ?? true);
        if (racingOn && cheap is not null && (cheap["enabled"]?.GetValue<bool>() ?? true))
            throw Error("evaluation.racing", "racing replaces cheap-first scoring; remove evaluation.cheap_first (or set its enabled: false)");
        var merge = root["merge"] as JsonObject;
        string? dtypeName = merge?["dtype"]?.GetValue<string>();
        var proxyTasks = (merge?["proxy_tasks"] as JsonArray)?.Select(t => FullPath(t!.GetValue<string>())).ToArray();
        if (proxyTasks is not null)
        {
            if (proxyTasks.Length != models.Count)
                throw Error("merge.proxy_tasks", $"lists {proxyTasks.Length} eval tasks but models lists {models.Count}; give one per model, in order");
            for (int i = 0; i < proxyTasks.Length; i++)
                if (!File.Exists(proxyTasks[i])) throw Error(LocatedJson.Item("merge.proxy_tasks", i), $"eval task file {proxyTasks[i]} not found");
        }
        int needsProxy = genome.Methods.ToList().FindIndex(m => _methods.Get(m).NeedsProxyActivations);
        if (needsProxy >= 0 && proxyTasks is null)
            throw Error(LocatedJson.Item("genome.methods", needsProxy),
                $"{genome.Methods[needsProxy]} needs proxy activations: set merge.proxy_tasks (one eval task YAML per model)");
        if (genome.Routed is not null && proxyTasks is null)
            throw Error("genome.routed", "routed candidates need merge.proxy_tasks (one eval task YAML per model: its first merge.proxy_prompts prompts make that expert's router prototype)");

        return new SearchConfig
        {
            File = _file,
            Text = text,
            Methods = _methods,
            BaseModel = baseModel,
            Models = models.Select(m => m.Path).ToArray(),
            Objectives = objectives,
            Constraints = constraints,
            AllowTestSplit = root["allow_test_split"]?.GetValue<bool>() ?? false,
            ScoreCache = root["score_cache"]?.GetValue<bool>() ?? true,
            ScoreCacheDirectory = root["score_cache_dir"]?.GetValue<string>() is { } cacheDirectory ? FullPath(cacheDirectory) : null,
            Genome = genome,
            ProxyTasks = proxyTasks,
            ProxyPrompts = merge?["proxy_prompts"]?.GetValue<int>() ?? 32,
            FactorCacheMegabytes = merge?["factor_cache_mb"]?.GetValue<long>() ?? 4096,
            DType = dtypeName is null ? TorchSharp.torch.ScalarType.Float32 : DTypes.ParseTorchName(dtypeName)!.Value,
            Optimizer = BindOptimizer(root["optimizer"]!.AsObject(), objectives),
            Budget = new BudgetConfig(budget["generations"]?.GetValue<int>(), budget["evaluations"]?.GetValue<int>(),
                budget["wall_clock_seconds"]?.GetValue<double>()),
            CheapFirst = cheap is null
                ? CheapFirstConfig.Off
                : new CheapFirstConfig(cheap["enabled"]?.GetValue<bool>() ?? true, cheap["fraction"]?.GetValue<double>() ?? 0.25,
                    cheap["confidence"]?.GetValue<double>() ?? 0.99),
            Racing = racing is null
                ? RacingConfig.Off
                : new RacingConfig(racingOn, racing["rounds"]?.GetValue<int>() ?? 4, racing["confidence"]?.GetValue<double>() ?? 0.95,
                    racing["margin"]?.GetValue<double>() ?? 0.0),
            BatchTokenBudget = evaluation?["batch_token_budget"]?.GetValue<int>() ?? 4096,
            Seed = root["seed"]!.GetValue<ulong>(),
            RunDirectory = runDirectory,
        };
    }

    private GenomeConfig BindGenome(JsonObject genome, int modelCount)
    {
        var methods = genome["methods"]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
        for (int i = 0; i < methods.Count; i++)
        {
            string at = LocatedJson.Item("genome.methods", i);
            if (methods.Take(i).Contains(methods[i])) throw Error(at, $"method '{methods[i]}' listed twice");
            var search = _methods.Contains(methods[i]) ? _methods.Get(methods[i]).Search : null;
            if (search is null)
                throw Error(at, $"merge method '{methods[i]}' cannot be searched in this build (searchable: {string.Join(", ", _methods.Searchable.Select(m => m.Name))})");
            if (search.SourceCountViolation(methods[i], modelCount) is { } problem) throw Error(at, problem);
        }
        var ranges = new GeneRanges();
        if (genome["ranges"] is JsonObject r)
        {
            foreach (var gene in _methods.Genes)
            {
                if (r[gene.Name] is null) continue;
                var range = Range(r, gene.Name, default);
                if (gene.Gene.BoundsViolation(range.Low, range.High) is { } problem) throw Error($"genome.ranges.{gene.Name}", problem);
                ranges = ranges.With(gene.Name, range);
            }
        }
        GeneRange SeedWeightRange()
        {
            var weights = _methods.Genes.First(g => g.Name == GenomeLayout.SeedWeightGene);
            return ranges.For(weights.Name, weights.Gene);
        }
        LayerOrderingConfig? ordering = null;
        if (genome["layer_ordering"] is JsonObject lo)
        {
            var scale = Range(lo, "scale", new GeneRange(0.5, 1.5), "genome.layer_ordering");
            if (scale.Low <= 0) throw Error("genome.layer_ordering.scale", "input scales must be greater than 0");
            ordering = new LayerOrderingConfig(lo["repeats"]!.GetValue<int>(), scale);
        }
        var seedWeights = new List<double>();
        if (genome["seed_weights"] is JsonArray seeds)
        {
            if (!methods.Contains(TaskArithmeticMerge.MethodName))
                throw Error("genome.seed_weights", $"seed genomes are task-arithmetic merges; add {TaskArithmeticMerge.MethodName} to genome.methods");
            var weightRange = SeedWeightRange();
            for (int i = 0; i < seeds.Count; i++)
            {
                double w = seeds[i]!.GetValue<double>();
                if (w < weightRange.Low || w > weightRange.High)
                    throw Error(LocatedJson.Item("genome.seed_weights", i), $"{Format(w)} is outside genome.ranges.weight [{Format(weightRange.Low)}, {Format(weightRange.High)}]");
                seedWeights.Add(w);
            }
        }
        bool seedSources = genome["seed_sources"]?.GetValue<bool>() ?? false;
        if (seedSources)
        {
            if (!methods.Contains(TaskArithmeticMerge.MethodName))
                throw Error("genome.seed_sources", $"seed genomes are task-arithmetic merges; add {TaskArithmeticMerge.MethodName} to genome.methods");
            var weightRange = SeedWeightRange();
            if (weightRange.Low > 0 || weightRange.High < 1)
                throw Error("genome.seed_sources", $"a source alone needs weights 0 and 1, outside genome.ranges.weight [{Format(weightRange.Low)}, {Format(weightRange.High)}]");
        }
        var filters = (genome["filters"] as JsonArray)?.Select(f => f!.GetValue<string>()).ToList() ?? [];
        for (int i = 0; i < filters.Count; i++)
            if (filters.Take(i).Contains(filters[i])) throw Error(LocatedJson.Item("genome.filters", i), $"filter '{filters[i]}' listed twice");
        bool? normalize = genome["normalize"]?.GetValue<bool>();
        if (normalize is not null && !methods.Any(m => _methods.Get(m).Parameters.Any(p => p.Name == "normalize")))
            throw Error("genome.normalize", $"none of genome.methods ({string.Join(", ", methods)}) takes a normalize parameter");
        bool randomInit = genome["random_init"]?.GetValue<bool>() ?? false;
        if (randomInit && (seedWeights.Count > 0 || seedSources))
            throw Error("genome.random_init", $"the start is chosen by genome.{(seedWeights.Count > 0 ? "seed_weights" : "seed_sources")}; set random_init or seed genomes, not both");
        var routed = genome["routed"] is JsonObject routedNode ? BindRouted(routedNode, methods, modelCount, ordering is not null) : null;
        return new GenomeConfig(methods, genome["layer_groups"]!.GetValue<int>(), ranges, ordering)
        {
            Routed = routed,
            SeedWeights = seedWeights,
            SeedSources = seedSources,
            Filters = filters,
            Smooth = genome["smooth"]?.GetValue<bool>() ?? false,
            AllowNegativeWeights = genome["allow_negative_weights"]?.GetValue<bool>(),
            Normalize = normalize,
            RandomInit = randomInit,
        };
    }

    /// <summary>Config <c>genome.routed</c>: the rank list, the temperature range and the router settings, checked.</summary>
    private RoutedGenomeConfig BindRouted(JsonObject routed, IReadOnlyList<string> methods, int modelCount, bool layerOrdering)
    {
        if (layerOrdering) throw Error("genome.routed", "routed candidates cannot be combined with genome.layer_ordering (experts need the backbone's layers in order)");
        for (int i = 0; i < methods.Count; i++)
        {
            if (_methods.Get(methods[i]).Search?.Inputs == SearchInputs.FirstSourceAsBase)
                throw Error(LocatedJson.Item("genome.methods", i), $"{methods[i]} merges the first source as base, so it cannot be a routed backbone (every source is an expert)");
        }
        var ranks = new List<int?>();
        if (routed["ranks"] is JsonArray rankList)
        {
            for (int i = 0; i < rankList.Count; i++)
            {
                int? rank = rankList[i] is JsonValue v && v.TryGetValue(out string? text) && text == "full" ? null : rankList[i]!.GetValue<int>();
                if (ranks.Contains(rank)) throw Error(LocatedJson.Item("genome.routed.ranks", i), $"rank {(rank is { } r ? Format(r) : "full")} listed twice");
                ranks.Add(rank);
            }
        }
        else ranks.Add(null);
        var temperature = routed["temperature"] switch
        {
            JsonArray => Range(routed, "temperature", default, "genome.routed"),
            JsonValue v => new GeneRange(v.GetValue<double>(), v.GetValue<double>()),
            _ => new GeneRange(1.0, 1.0),
        };
        if (!(temperature.Low > 0) || double.IsInfinity(temperature.High))
            throw Error("genome.routed.temperature", $"router temperatures must be positive and finite (got [{Format(temperature.Low)}, {Format(temperature.High)}])");
        int topK = routed["top_k"]?.GetValue<int>() ?? 1;
        if (topK > modelCount) throw Error("genome.routed.top_k", $"must be 1 … {modelCount} (one expert per model), got {topK}");
        return new RoutedGenomeConfig
        {
            Ranks = ranks,
            TemperatureLow = temperature.Low,
            TemperatureHigh = temperature.High,
            Layer = routed["layer"]?.GetValue<int>() ?? 0,
            Granularity = routed["granularity"]?.GetValue<string>() == "token" ? Tensors.Routed.RoutingGranularity.Token : Tensors.Routed.RoutingGranularity.Sequence,
            TopK = topK,
        };
    }

    /// <summary>
    /// The error for the first <c>genome.ranges</c> entry whose ends leave its parameter's domain (the schema refuses
    /// them too, but this message names the value and the whole allowed range); null when there is none.
    /// </summary>
    private SearchConfigException? GeneRangeOutsideDomain(JsonNode? root)
    {
        if (root is not JsonObject top || top["genome"] is not JsonObject genome || genome["ranges"] is not JsonObject ranges) return null;
        foreach (var gene in _methods.Genes)
        {
            if (ranges[gene.Name] is not JsonArray { Count: 2 } pair
                || pair.Any(v => v is not JsonValue value || value.GetValueKind() != System.Text.Json.JsonValueKind.Number)) continue;
            if (gene.Gene.BoundsViolation(pair[0]!.GetValue<double>(), pair[1]!.GetValue<double>()) is { } problem)
                return Error($"genome.ranges.{gene.Name}", problem);
        }
        return null;
    }

    private GeneRange Range(JsonObject parent, string name, GeneRange fallback, string at = "genome.ranges")
    {
        if (parent[name] is not JsonArray pair) return fallback;
        var range = new GeneRange(pair[0]!.GetValue<double>(), pair[1]!.GetValue<double>());
        if (range.High < range.Low) throw Error($"{at}.{name}", $"[{Format(range.Low)}, {Format(range.High)}] ends before it starts");
        return range;
    }

    private OptimizerSettings BindOptimizer(JsonObject optimizer, IReadOnlyList<ObjectiveConfig> objectives)
    {
        string name = optimizer["name"]!.GetValue<string>();
        var settings = (optimizer["settings"] as JsonObject)?.DeepClone().AsObject() ?? [];
        if (settings.ContainsKey("optimizer")) throw Error("optimizer.settings.optimizer", "the optimizer is named by optimizer.name");
        if (settings.ContainsKey("initial_genomes") || settings.ContainsKey("start"))
            throw Error("optimizer.settings", "initial genomes are set by the search, not the config");
        var json = new JsonObject { ["optimizer"] = name };
        foreach (var (key, value) in settings) json[key] = value?.DeepClone();
        OptimizerSettings result;
        try
        {
            result = json.Deserialize<OptimizerSettings>(SettingsJson)
                ?? throw Error("optimizer.settings", "settings are empty");
        }
        catch (JsonException e)
        {
            string path = e.Path is { Length: > 2 } p ? "optimizer.settings." + p.TrimStart('$', '.') : "optimizer.settings";
            throw Error(path, $"not valid settings for {name} ({e.Message.Split(". Path:")[0]})");
        }
        var (sizeKey, size) = result switch
        {
            Nsga2Settings nsga2 => ("population_size", nsga2.PopulationSize),
            CmaEsSettings cmaes => ("population_size", cmaes.PopulationSize),
            RandomSearchSettings random => ("batch_size", random.BatchSize),
            _ => ("", (int?)null),
        };
        if (size > MaxPopulationSize) throw Error("optimizer.settings." + sizeKey, $"must be ≤ {MaxPopulationSize}");
        if (result is CmaEsSettings cma && cma.ObjectiveWeights is null && objectives.Any(o => o.Weight != 1.0))
            result = cma with { ObjectiveWeights = objectives.Select(o => o.Weight).ToArray() };
        return result;
    }

    /// <summary>System.Text.Json options for optimizer settings: snake_case names, unknown names rejected.</summary>
    public static JsonSerializerOptions SettingsJson { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private string FullPath(string path) => Path.GetFullPath(Path.Combine(_directory, path));

    /// <summary>A model entry's full path, or <c>BASE+ADAPTER</c> with both parts full paths (a LoRA source, see <see cref="Runs.LoraSources"/>).</summary>
    private string ModelPath(string entry, string at)
    {
        string[] parts = entry.Split('+');
        if (parts.Length > 2) throw Error(at, $"'{entry}': a model is MODEL or MODEL+LORA_ADAPTER; found {parts.Length - 1} '+'");
        if (parts.Any(p => p.Trim().Length == 0)) throw Error(at, $"'{entry}': MODEL+LORA_ADAPTER needs both a model and an adapter directory");
        return string.Join('+', parts.Select(p => FullPath(p.Trim())));
    }

    private static string Format(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
