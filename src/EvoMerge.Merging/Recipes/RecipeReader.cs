using System.Globalization;
using EvoMerge.Tensors;
using TorchSharp;
using EvoMerge.Tensors.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EvoMerge.Merging.Recipes;

/// <summary>
/// Reads a mergekit YAML recipe into a <see cref="MergeRecipe"/>. Parsing uses YamlDotNet's representation model so
/// every error names the file and line. The reader checks structure and types; parameter names, model counts and
/// anything needing the method or the models are checked by the planner. As in mergekit (whose configuration models
/// ignore extra keys), an unknown key at any level is ignored with a <see cref="MergeRecipe.Warnings"/> entry naming
/// it, with a "did you mean" when it is close to a key of that level (parameter names the method does not take are
/// the planner's warnings); keys of the wrong type stay errors, as in mergekit. A model is a local
/// directory (a revision after '@' is then ignored, as in mergekit) or a Hub name found in the local HuggingFace
/// cache, optionally <c>MODEL+ADAPTER</c> (a PEFT LoRA adapter applied to it, see <see cref="ModelReference"/>);
/// <c>modules:</c> names modules (see <see cref="RecipeModule"/>; the planner checks the names). The vocabulary keys are read in
/// RecipeReader.Tokenizer.cs.
/// </summary>
public sealed partial class RecipeReader
{
    private static readonly string[] TopLevelKeys =
        ["merge_method", "base_model", "models", "slices", "modules", "parameters", "dtype", "out_dtype", "tokenizer_source", "tokenizer", "chat_template",
         "proxy_tasks", "proxy_prompts"];

    private readonly string _file;
    private readonly string _modelRoot;
    private readonly List<ModelPathSpan> _relativeModelPaths = [];
    private readonly List<RecipeWarning> _warnings = [];

    private RecipeReader(string file, string modelRoot)
    {
        _file = file;
        _modelRoot = modelRoot;
    }

    /// <summary>Reads a recipe file; relative model paths resolve against the file's directory.</summary>
    public static MergeRecipe ReadFile(string path)
    {
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"{path}: recipe file not found", path);
        string text;
        try
        {
            text = YamlDocumentLoader.ReadText(path);
        }
        catch (YamlInputException e)
        {
            throw new RecipeException(path, e.Line, e.Problem);
        }
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>
    /// Parses recipe text. <paramref name="file"/> names the recipe in messages; relative model paths resolve
    /// against <paramref name="modelRoot"/>.
    /// </summary>
    public static MergeRecipe Parse(string text, string file, string modelRoot) => new RecipeReader(file, modelRoot).Read(text);

    private MergeRecipe Read(string text)
    {
        YamlStream stream;
        try
        {
            stream = YamlDocumentLoader.Load(text, _file);
        }
        catch (YamlInputException e)
        {
            throw new RecipeException(_file, e.Line, e.Problem);
        }
        catch (YamlException e)
        {
            throw new RecipeException(_file, (int)e.Start.Line, $"not valid YAML ({(e.InnerException ?? e).Message.ReplaceLineEndings(" ").Trim()})");
        }
        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode)) throw new RecipeException(_file, null, "the recipe is empty");
        if (stream.Documents.Count > 1) throw Error(stream.Documents[1].RootNode, "a recipe is one YAML document; found more");

        var root = Mapping(stream.Documents[0].RootNode, "the recipe");
        CheckKeys(root, "the top level", TopLevelKeys);

        var methodNode = Find(root, "merge_method") ?? throw Error(root, "missing required key 'merge_method'");
        string method = String(methodNode, "merge_method");
        var baseModel = Find(root, "base_model") is { } b ? Model(b, "base_model") : null;
        var topLevel = Parameters(Find(root, "parameters"), "parameters");

        var models = Find(root, "models");
        var slicesNode = Find(root, "slices");
        IReadOnlyList<RecipeSlice> slices = (Find(root, "modules"), models, slicesNode) switch
        {
            (not null, _, _) => Modules(root, Find(root, "modules")!, baseModel, topLevel),
            (null, not null, not null) => throw Error(slicesNode, "give either models: or slices:, not both"),
            (null, not null, null) => [ModelsSlice(models, baseModel, "models")],
            (null, null, not null) => Slices(slicesNode, "slices"),
            _ => throw Error(root, "missing 'models:' or 'slices:'"),
        };
        var parameters = slices is [{ Module: { Name: "default" } only }, ..] && slices.All(s => s.Module == only) ? only.Effective : topLevel;

        var tokenizer = TokenizerSettings(root, slices, baseModel);
        return new MergeRecipe
        {
            File = _file,
            Text = text,
            MergeMethod = method,
            MergeMethodLine = Line(methodNode),
            BaseModel = baseModel,
            Slices = slices,
            Parameters = parameters,
            DType = Find(root, "dtype") is { } dtype ? DType(dtype, "dtype") : null,
            OutDType = Find(root, "out_dtype") is { } outDtype ? DType(outDtype, "out_dtype") : null,
            TokenizerSource = tokenizer?.Model,
            Tokenizer = tokenizer,
            ChatTemplate = Find(root, "chat_template") is { } template ? ChatTemplate(template) : null,
            RelativeModelPaths = [.. _relativeModelPaths.DistinctBy(span => span.Start).OrderBy(span => span.Start)],
            ProxyTasks = Find(root, "proxy_tasks") is { } proxy ? ProxyTasks(proxy) : [],
            ProxyPrompts = Find(root, "proxy_prompts") is { } prompts ? ProxyPrompts(prompts) : null,
            Warnings = [.. _warnings.OrderBy(w => w.Line)],
        };
    }

    /// <summary>
    /// mergekit's <c>modules:</c> form: each entry names a module (<c>default</c> for a one-module model; the planner
    /// checks the names against the models) and holds <c>models:</c> or <c>slices:</c> and module <c>parameters</c>
    /// (between the slice's and the top-level ones). Every slice is tagged with its <see cref="RecipeModule"/>.
    /// </summary>
    private List<RecipeSlice> Modules(YamlMappingNode root, YamlNode modules, ModelReference? baseModel, RecipeParameters topLevel)
    {
        if ((Find(root, "models") ?? Find(root, "slices")) is { } other)
            throw Error(other, "give one of models:, slices: or modules:, not several (mergekit refuses it too)");
        var map = Mapping(modules, "modules");
        if (map.Children.Count == 0) throw Error(modules, "modules: is empty");
        var slices = new List<RecipeSlice>();
        foreach (var (key, value) in map.Children)
        {
            string name = String(key, "a module name");
            string label = $"modules.{name}";
            var body = Mapping(value, label);
            CheckKeys(body, label, ["models", "slices", "parameters"]);
            var own = Parameters(Find(body, "parameters"), $"{label}.parameters");
            var module = new RecipeModule(name, Line(key), own, ModuleParameters.Over(own, topLevel));
            var models = Find(body, "models");
            var slicesNode = Find(body, "slices");
            IReadOnlyList<RecipeSlice> moduleSlices = (models, slicesNode) switch
            {
                (not null, not null) => throw Error(slicesNode, $"{label}: give either models: or slices:, not both"),
                (not null, null) => [ModelsSlice(models, baseModel, name == "default" ? "models" : $"{label}.models")],
                (null, not null) => Slices(slicesNode, name == "default" ? "slices" : $"{label}.slices"),
                _ => throw Error(body, $"{label}: missing 'models:' or 'slices:'"),
            };
            slices.AddRange(moduleSlices.Select(s => s with { Module = module }));
        }
        return slices;
    }

    private RecipeSlice ModelsSlice(YamlNode node, ModelReference? baseModel, string prefix)
    {
        var list = Sequence(node, prefix);
        if (list.Children.Count == 0) throw Error(node, $"{prefix}: is empty");
        var sources = new List<RecipeSource>();
        for (int i = 0; i < list.Children.Count; i++)
        {
            string label = $"{prefix}[{i}]";
            var entry = Mapping(list.Children[i], label);
            CheckKeys(entry, label, ["model", "parameters"]);
            var model = Model(Required(entry, "model", label), $"{label}.model");
            sources.Add(new RecipeSource(model, null, Parameters(Find(entry, "parameters"), $"{label}.parameters"), Line(entry), label));
        }
        CheckDistinct(sources, prefix);
        if (baseModel is not null && !sources.Any(s => s.Model.SameModelAs(baseModel)))
            sources.Add(new RecipeSource(baseModel, null, RecipeParameters.None("base_model"), baseModel.Line, "base_model"));
        return new RecipeSlice(sources, null, RecipeParameters.None(prefix), Line(node), prefix);
    }

    private List<RecipeSlice> Slices(YamlNode node, string prefix)
    {
        var list = Sequence(node, prefix);
        if (list.Children.Count == 0) throw Error(node, $"{prefix}: is empty");
        var slices = new List<RecipeSlice>();
        for (int i = 0; i < list.Children.Count; i++)
        {
            string label = $"{prefix}[{i}]";
            var entry = Mapping(list.Children[i], label);
            CheckKeys(entry, label, ["sources", "base_model", "parameters", "residual_weight"]);
            if (Find(entry, "residual_weight") is { } residual) Number(residual, $"{label}.residual_weight");
            var sourceList = Sequence(Required(entry, "sources", label), $"{label}.sources");
            if (sourceList.Children.Count == 0) throw Error(sourceList, $"{label}.sources is empty");
            var sources = new List<RecipeSource>();
            for (int j = 0; j < sourceList.Children.Count; j++)
            {
                string sourceLabel = $"{label}.sources[{j}]";
                var source = Mapping(sourceList.Children[j], sourceLabel);
                CheckKeys(source, sourceLabel, ["model", "layer_range", "parameters"]);
                var model = Model(Required(source, "model", sourceLabel), $"{sourceLabel}.model");
                var range = Range(Required(source, "layer_range", sourceLabel), $"{sourceLabel}.layer_range");
                sources.Add(new RecipeSource(model, range, Parameters(Find(source, "parameters"), $"{sourceLabel}.parameters"), Line(source), sourceLabel));
            }
            if (sources.Select(s => s.LayerRange!.Value.Length).Distinct().Count() > 1)
                throw Error(entry, $"all sources of {label} must span the same number of layers ({string.Join(", ", sources.Select(s => $"{s.Model.Name}: {s.LayerRange!.Value.Length}"))})");
            CheckDistinct(sources, $"{label}.sources");
            var sliceBase = Find(entry, "base_model") is { } b ? Model(b, $"{label}.base_model") : null;
            slices.Add(new RecipeSlice(sources, sliceBase, Parameters(Find(entry, "parameters"), $"{label}.parameters"), Line(entry), label));
        }
        return slices;
    }

    private void CheckDistinct(List<RecipeSource> sources, string label)
    {
        for (int i = 1; i < sources.Count; i++)
        {
            var earlier = sources.Take(i).FirstOrDefault(s => s.Model.SameModelAs(sources[i].Model));
            if (earlier is not null)
                throw new RecipeException(_file, sources[i].Line, $"model '{sources[i].Model.Name}' is listed twice in {label} (also at line {earlier.Line})");
        }
    }

    private RecipeParameters Parameters(YamlNode? node, string label)
    {
        if (node is null) return RecipeParameters.None(label);
        var map = Mapping(node, label);
        var settings = new List<(string, ParameterSetting, int)>();
        foreach (var (key, value) in map.Children)
        {
            string name = Key(key, label);
            if (Setting(value, $"{label}.{name}") is { } setting) settings.Add((name, setting, Line(key)));
        }
        return new RecipeParameters(label, settings);
    }

    private ParameterSetting? Setting(YamlNode node, string label)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                if (IsNull(scalar)) return null;
                var (value, kind) = PlainValue(scalar, label);
                return new ScalarSetting(value, kind, Line(scalar));
            case YamlSequenceNode list when list.Children.Count == 0:
                throw Error(list, $"{label} is an empty list");
            case YamlSequenceNode list when list.Children.All(c => c is YamlScalarNode):
                return Gradient(list, label);
            case YamlSequenceNode list when list.Children.All(c => c is YamlMappingNode):
                return Conditional(list, label);
            case YamlSequenceNode list:
                throw Error(list, $"{label} mixes plain values and {{filter, value}} entries");
            default:
                throw Error(node, $"{label}: a {{filter, value}} entry must be an item of a list");
        }
    }

    private GradientSetting Gradient(YamlSequenceNode list, string label)
    {
        var values = list.Children.Select(c => PlainValue((YamlScalarNode)c, label)).ToList();
        if (values.Select(v => v.Kind).Distinct().Count() > 1) throw Error(list, $"{label} mixes numbers and booleans");
        return new GradientSetting(values.Select(v => v.Value).ToArray(), values[0].Kind, Line(list));
    }

    private ConditionalSetting Conditional(YamlSequenceNode list, string label)
    {
        var branches = new List<FilteredValue>();
        for (int i = 0; i < list.Children.Count; i++)
        {
            string branchLabel = $"{label}[{i}]";
            var entry = (YamlMappingNode)list.Children[i];
            CheckKeys(entry, branchLabel, ["filter", "value"]);
            var valueNode = Find(entry, "value") ?? throw Error(entry, $"{branchLabel} needs a 'value'");
            var value = valueNode switch
            {
                YamlScalarNode s => Setting(s, $"{branchLabel}.value")!,
                YamlSequenceNode s when s.Children.Count > 0 && s.Children.All(c => c is YamlScalarNode) => Gradient(s, $"{branchLabel}.value"),
                _ => throw Error(valueNode, $"{branchLabel}.value must be a number, a boolean or a list of them (a gradient)"),
            };
            string? filter = Find(entry, "filter") is { } f ? String(f, $"{branchLabel}.filter") : null;
            branches.Add(new FilteredValue(filter, value, Line(entry)));
        }
        return new ConditionalSetting(branches, Line(list));
    }

    private (double Value, ParameterKind Kind) PlainValue(YamlScalarNode scalar, string label)
    {
        string text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.Plain or ScalarStyle.Any)
        {
            if (text is "true" or "True" or "TRUE") return (1.0, ParameterKind.Boolean);
            if (text is "false" or "False" or "FALSE") return (0.0, ParameterKind.Boolean);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number))
                return (number, ParameterKind.Number);
        }
        throw Error(scalar, $"{label}: expected a number or true/false, found '{text}'");
    }

    private double Number(YamlNode node, string label)
    {
        var scalar = node as YamlScalarNode ?? throw Error(node, $"{label} must be a number");
        var (value, kind) = PlainValue(scalar, label);
        return kind == ParameterKind.Number ? value : throw Error(node, $"{label} must be a number, found '{scalar.Value}'");
    }

    private LayerRange Range(YamlNode node, string label)
    {
        if (node is not YamlSequenceNode { Children.Count: 2 } pair)
            throw Error(node, $"{label} must be [start, end]");
        int[] bounds = new int[2];
        for (int i = 0; i < 2; i++)
        {
            double value = Number(pair.Children[i], label);
            if (value < 0 || value != Math.Floor(value) || value > int.MaxValue)
                throw Error(pair.Children[i], $"{label} must hold two non-negative integers");
            bounds[i] = (int)value;
        }
        if (bounds[1] < bounds[0]) throw Error(node, $"{label} [{bounds[0]}, {bounds[1]}] ends before it starts");
        return new LayerRange(bounds[0], bounds[1]);
    }

    /// <summary>
    /// A model name: a directory, or <c>BASE+ADAPTER</c> (a PEFT LoRA adapter directory applied to BASE), split on
    /// '+' as mergekit does (more than one '+' is an error).
    /// </summary>
    private ModelReference Model(YamlNode node, string label)
    {
        string name = String(node, label).Trim();
        if (name.Length == 0) throw Error(node, $"{label} is empty");
        string[] parts = name.Split('+');
        if (parts.Length > 2)
            throw Error(node, $"{label} '{name}': a model is MODEL or MODEL+LORA_ADAPTER; found {parts.Length - 1} '+'");
        if (parts.Any(p => p.Trim().Length == 0))
            throw Error(node, $"{label} '{name}': MODEL+LORA_ADAPTER needs both a model and an adapter directory");
        var (path, baseIsHub) = ModelPart(node, label, name, parts[0].Trim());
        string? adapter = null;
        bool adapterIsHub = false;
        if (parts.Length == 2) (adapter, adapterIsHub) = ModelPart(node, label, name, parts[1].Trim());
        // Hub names stay as written in the saved recipe; local relative paths are rewritten against the output.
        if (!baseIsHub && !adapterIsHub && parts.Any(p => !Path.IsPathRooted(p.Trim().Split('@')[0])))
            _relativeModelPaths.Add(new ModelPathSpan((int)node.Start.Index, (int)node.End.Index, path, adapter));
        return new ModelReference(name, path, Line(node), adapter);
    }

    /// <summary>
    /// One part of a model name: a local directory (a revision after '@' is ignored, as mergekit ignores it for a path
    /// that exists), else a Hub name <c>ORG/NAME[@REV]</c> resolved from the local HuggingFace cache (uncached
    /// without a revision: the local path, which the planner reports as not found, naming the cache too).
    /// </summary>
    private (string Path, bool IsHub) ModelPart(YamlNode node, string label, string name, string part)
    {
        string[] parts = part.Split('@');
        if (parts.Length > 2 || parts.Any(p => p.Length == 0))
            throw Error(node, $"{label} '{name}': write MODEL or MODEL@REVISION (mergekit refuses it too)");
        string model = parts[0];
        string? revision = parts.Length == 2 ? parts[1] : null;
        string path = Path.GetFullPath(Path.Combine(_modelRoot, model));
        if (Directory.Exists(path) || !HuggingFaceCache.IsRepoId(model)) return (path, false);
        var cache = HuggingFaceCache.FromEnvironment();
        // Without a revision a missing relative directory may just be missing: the planner then says so.
        if (cache.Snapshot(model, revision) is not { } snapshot && revision is null) return (path, false);
        snapshot = cache.Snapshot(model, revision)
            ?? throw Error(node, $"{label} '{name}': no local directory {path}, and revision '{revision ?? "main"}' is not in the HuggingFace cache {cache.RepositoryDirectory(model)} (EvoMerge does not download; fetch it first, e.g. huggingface-cli download {model}{(revision is null ? "" : " --revision " + revision)})");
        return (snapshot, true);
    }

    private torch.ScalarType DType(YamlNode node, string label)
    {
        string name = String(node, label);
        var type = DTypes.ParseTorchName(name) ?? throw Error(node, $"{label} '{name}' is not a known dtype (bfloat16, float16, float32)");
        if (type is not (torch.ScalarType.BFloat16 or torch.ScalarType.Float16 or torch.ScalarType.Float32 or torch.ScalarType.Float64))
            throw Error(node, $"{label} '{name}' is not supported for merging; use bfloat16, float16 or float32");
        return type;
    }

    private List<ProxyTask> ProxyTasks(YamlNode node)
    {
        var map = Mapping(node, "proxy_tasks");
        var tasks = new List<ProxyTask>();
        foreach (var (key, value) in map.Children)
        {
            string label = $"proxy_tasks.{Key(key, "proxy_tasks")}";
            tasks.Add(new ProxyTask(Model(key, "proxy_tasks"), Path.GetFullPath(Path.Combine(_modelRoot, String(value, label))), Line(key)));
        }
        return tasks;
    }

    private int ProxyPrompts(YamlNode node)
    {
        double value = Number(node, "proxy_prompts");
        if (value != Math.Floor(value) || value < 1 || value > 32) throw Error(node, $"proxy_prompts must be a whole number from 1 to 32, got {value}");
        return (int)value;
    }

    private string ChatTemplate(YamlNode node)
    {
        string template = String(node, "chat_template");
        if (NamedChatTemplateDifference.Find(_file, Line(node), template) is { } difference) _warnings.Add(difference);
        if (template == ChatTemplateResolver.Auto || NamedChatTemplates.Find(template) is not null) return template;
        if (template.Length < 20 || !template.Contains('{'))
            throw Error(node, $"chat_template '{template}' is neither a template name ({string.Join(", ", NamedChatTemplates.Names)} or {ChatTemplateResolver.Auto}) nor a Jinja template (at least 20 characters, containing '{{')");
        return template;
    }

    /// <summary>
    /// Keys of <paramref name="map"/> outside <paramref name="allowed"/> are ignored, as mergekit ignores them, each
    /// with one warning: "unknown key 'NAME' in LABEL (did you mean 'KEY'?)" or, when no key is close, the keys the
    /// level takes.
    /// </summary>
    private void CheckKeys(YamlMappingNode map, string label, IReadOnlyList<string> allowed)
    {
        foreach (var key in map.Children.Keys)
        {
            string name = Key(key, label);
            if (allowed.Contains(name)) continue;
            _warnings.Add(new RecipeWarning(_file, Line(key), NearestName.Find(name, allowed) is { } near
                ? $"unknown key '{name}' in {label} (did you mean '{near}'?)"
                : $"unknown key '{name}' in {label} (its keys: {string.Join(", ", allowed)})"));
        }
    }

    private string Key(YamlNode key, string label) =>
        key is YamlScalarNode { Value: { } name } ? name : throw Error(key, $"keys in {label} must be plain names");

    private static YamlNode? Find(YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && name == key) return IsNull(v) ? null : v;
        }
        return null;
    }

    private YamlNode Required(YamlMappingNode map, string key, string label) =>
        Find(map, key) ?? throw Error(map, $"{label} is missing required key '{key}'");

    private YamlMappingNode Mapping(YamlNode node, string label) =>
        node as YamlMappingNode ?? throw Error(node, $"{label} must be a mapping of keys to values");

    private YamlSequenceNode Sequence(YamlNode node, string label) =>
        node as YamlSequenceNode ?? throw Error(node, $"{label} must be a list");

    private string String(YamlNode node, string label) =>
        node is YamlScalarNode { Value: { } value } ? value : throw Error(node, $"{label} must be a single value");

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private RecipeException Error(YamlNode node, string problem) => new(_file, Line(node), problem);
}
