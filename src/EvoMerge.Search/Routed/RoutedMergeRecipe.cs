using System.Globalization;
using EvoMerge.Merging;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors.Routed;
using EvoMerge.Tensors.Yaml;
using YamlDotNet.RepresentationModel;

namespace EvoMerge.Search.Routed;

/// <summary>
/// A recipe with <c>merge_method: routed</c> (docs/routed-merges.md): everything but the method is the backbone's
/// recipe (models, base_model, parameters, dtype, …), and a top-level <c>routed:</c> block names the backbone's merge
/// method and how the experts are cut and routed:
/// <c>routed: {backbone: ties, rank: 8 | energy: 0.9, router: {layer, temperature, granularity, top_k}}</c>.
/// <c>proxy_tasks</c> must name an eval task for every expert (every listed model but the base); their first
/// <c>proxy_prompts</c> documents make the router's prototypes. Unknown keys in the block are warnings, as in the
/// rest of the recipe; wrong types and values are errors naming the file and line. Besides a <c>models:</c> recipe,
/// slices that keep every model's layers in order are accepted (the search's recipes, one slice per layer group).
/// </summary>
public sealed record RoutedMergeRecipe
{
    /// <summary>The <c>merge_method</c> of a routed recipe.</summary>
    public const string MethodName = "routed";

    private static readonly string[] BlockKeys = ["backbone", "rank", "energy", "router"];
    private static readonly string[] RouterKeys = ["layer", "temperature", "granularity", "top_k"];

    /// <summary>The backbone's recipe: this recipe with <c>routed.backbone</c> as its method.</summary>
    public required MergeRecipe Backbone { get; init; }

    /// <summary>The experts' sources, in recipe order (every listed model but the base).</summary>
    public required IReadOnlyList<ModelReference> Experts { get; init; }

    /// <summary>The eval task YAML of each expert, in <see cref="Experts"/> order.</summary>
    public required IReadOnlyList<string> ProxyTasks { get; init; }

    /// <summary>Proxy prompts per expert.</summary>
    public required int PromptCount { get; init; }

    /// <summary>The format block written (its <see cref="RoutedExpertsConfig.Sources"/> the experts' names).</summary>
    public required RoutedExpertsConfig Block { get; init; }

    /// <summary>The routed recipe <paramref name="recipe"/> stands for, or null when its method is not <c>routed</c>.</summary>
    public static RoutedMergeRecipe? Of(MergeRecipe recipe, MergeMethodRegistry? methods = null)
    {
        if (recipe.MergeMethod != MethodName) return null;
        methods ??= MergeMethodRegistry.Default;
        var root = (YamlMappingNode)YamlDocumentLoader.Load(recipe.Text, recipe.File).Documents[0].RootNode;
        var blockKey = root.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: "routed" });
        if (blockKey is null || root.Children[blockKey] is not YamlMappingNode block)
            throw new RecipeException(recipe.File, recipe.MergeMethodLine, "merge_method routed needs a 'routed:' mapping (backbone, rank or energy, router)");
        int blockLine = Line(blockKey);
        var warnings = recipe.Warnings.Where(w => !(w.Line == blockLine && w.Problem.StartsWith("unknown key 'routed'", StringComparison.Ordinal))).ToList();
        warnings.AddRange(UnknownKeys(recipe.File, block, BlockKeys, "routed"));

        string backbone = Scalar(recipe.File, block, "backbone", "routed.backbone")
            ?? throw new RecipeException(recipe.File, blockLine, "routed.backbone is missing (the backbone's merge method, any registered one but routed)");
        if (backbone == MethodName) throw new RecipeException(recipe.File, LineOf(block, "backbone"), "routed.backbone cannot be routed itself");
        var method = methods.Contains(backbone)
            ? methods.Get(backbone)
            : throw new RecipeException(recipe.File, LineOf(block, "backbone"), $"routed.backbone: unknown merge method '{backbone}' (known: {string.Join(", ", methods.Names)})");
        int? rank = Int(recipe.File, block, "rank", "routed.rank");
        double? energy = Number(recipe.File, block, "energy", "routed.energy");
        if (rank is null == energy is null)
            throw new RecipeException(recipe.File, blockLine, "routed: give exactly one of rank (a fixed rank) and energy (the kept fraction of each residual's energy)");
        if (rank is < 1) throw new RecipeException(recipe.File, LineOf(block, "rank"), $"routed.rank must be at least 1 (got {rank})");
        if (energy is not null and (<= 0 or > 1)) throw new RecipeException(recipe.File, LineOf(block, "energy"), $"routed.energy must be in (0, 1] (got {energy.Value.ToString(CultureInfo.InvariantCulture)})");

        var router = Find(block, "router") switch
        {
            null => new YamlMappingNode(),
            YamlMappingNode m => m,
            var other => throw new RecipeException(recipe.File, Line(other), "routed.router must be a mapping (layer, temperature, granularity, top_k)"),
        };
        warnings.AddRange(UnknownKeys(recipe.File, router, RouterKeys, "routed.router"));
        int layer = Int(recipe.File, router, "layer", "routed.router.layer") ?? 0;
        double temperature = Number(recipe.File, router, "temperature", "routed.router.temperature") ?? 1.0;
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new RecipeException(recipe.File, LineOf(router, "temperature"), "routed.router.temperature must be a positive number");
        var granularity = (Scalar(recipe.File, router, "granularity", "routed.router.granularity") ?? "sequence") switch
        {
            "sequence" => RoutingGranularity.Sequence,
            "token" => RoutingGranularity.Token,
            var g => throw new RecipeException(recipe.File, LineOf(router, "granularity"), $"routed.router.granularity '{g}' is not supported (sequence or token)"),
        };
        int topK = Int(recipe.File, router, "top_k", "routed.router.top_k") ?? 1;

        if (!KeepsLayerOrder(recipe))
            throw new RecipeException(recipe.File, recipe.MergeMethodLine,
                "merge_method routed needs a models: recipe, or slices that list the same models, each over the slice's own output layers in order from 0 (no modules, no reordered or shifted layers)");
        var experts = recipe.Slices[0].Sources.Select(s => s.Model).Where(m => recipe.BaseModel is null || !m.SameModelAs(recipe.BaseModel)).ToList();
        if (experts.Count == 0) throw new RecipeException(recipe.File, recipe.MergeMethodLine, "merge_method routed needs at least one model besides the base model");
        if (topK < 1 || topK > experts.Count)
            throw new RecipeException(recipe.File, LineOf(router, "top_k"), $"routed.router.top_k must be 1 … {experts.Count} (the experts), got {topK}");
        var tasks = experts.Select(e => recipe.ProxyTasks.FirstOrDefault(t => t.Model.SameModelAs(e))?.TaskPath
            ?? throw new RecipeException(recipe.File, recipe.ProxyTasks.Count > 0 ? recipe.ProxyTasks[0].Line : blockLine,
                $"merge_method routed needs proxy_tasks to name an eval task for model '{e.Name}' (its prompts make the router's prototype)")).ToList();
        foreach (var task in recipe.ProxyTasks.Where(t => !File.Exists(t.TaskPath)))
            throw new RecipeException(recipe.File, task.Line, $"proxy_tasks.{task.Model.Name}: eval task file {task.TaskPath} not found");

        var backboneRecipe = recipe with
        {
            MergeMethod = backbone,
            ProxyTasks = method.NeedsProxyActivations ? recipe.ProxyTasks : [],
            ProxyPrompts = method.NeedsProxyActivations ? recipe.ProxyPrompts : null,
            Warnings = [.. warnings.OrderBy(w => w.Line)],
        };
        return new RoutedMergeRecipe
        {
            Backbone = backboneRecipe,
            Experts = experts,
            ProxyTasks = tasks,
            PromptCount = recipe.ProxyPrompts ?? Proxy.TaskProxyActivations.MaxPrompts,
            Block = new RoutedExpertsConfig
            {
                Experts = experts.Count, Sources = experts.Select(e => e.Name).ToArray(), Rank = rank, Energy = energy,
                RouterLayer = layer, Temperature = temperature, Granularity = granularity, TopK = topK,
            },
        };
    }

    /// <summary>
    /// Whether output layer i of the backbone merges layer i of every model, so each model's residual against the
    /// backbone is defined layer by layer: a <c>models:</c> recipe, or slices without modules that list the same
    /// models in the same order, every source's range the slice's output layers (the search writes one slice per layer group).
    /// </summary>
    private static bool KeepsLayerOrder(MergeRecipe recipe)
    {
        if (recipe.Slices.Count == 0 || recipe.Slices.Any(s => s.Module is not null)) return false;
        if (recipe.Slices.Count == 1 && recipe.Slices[0].Sources.All(s => s.LayerRange is null)) return true;
        var models = recipe.Slices[0].Sources.Select(s => s.Model).ToList();
        int next = 0;
        foreach (var slice in recipe.Slices)
        {
            if (slice.Sources.Count != models.Count || slice.Sources.Where((s, i) => !s.Model.SameModelAs(models[i])).Any()) return false;
            if (slice.Sources[0].LayerRange is not { } range || range.Start != next) return false;
            if (slice.Sources.Any(s => s.LayerRange != range)) return false;
            next = range.End;
        }
        return true;
    }

    private static IEnumerable<RecipeWarning> UnknownKeys(string file, YamlMappingNode node, string[] known, string where) =>
        node.Children.Keys.OfType<YamlScalarNode>().Where(k => !known.Contains(k.Value))
            .Select(k => new RecipeWarning(file, Line(k), $"unknown key '{k.Value}' in {where} (known: {string.Join(", ", known)})"));

    private static YamlNode? Find(YamlMappingNode node, string key) =>
        node.Children.FirstOrDefault(p => p.Key is YamlScalarNode { Value: var v } && v == key).Value;

    private static int LineOf(YamlMappingNode node, string key) => Find(node, key) is { } value ? Line(value) : Line(node);

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private static string? Scalar(string file, YamlMappingNode node, string key, string field) => Find(node, key) switch
    {
        null => null,
        YamlScalarNode { Value: { } v } => v,
        var other => throw new RecipeException(file, Line(other), $"{field} must be a string"),
    };

    private static int? Int(string file, YamlMappingNode node, string key, string field) => Scalar(file, node, key, field) is { } text
        ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : throw new RecipeException(file, Line(Find(node, key)!), $"{field} must be an integer (got '{text}')")
        : null;

    private static double? Number(string file, YamlMappingNode node, string key, string field) => Scalar(file, node, key, field) is { } text
        ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : throw new RecipeException(file, Line(Find(node, key)!), $"{field} must be a number (got '{text}')")
        : null;
}
