using System.Text.Json.Nodes;
using EvoMerge.Merging.Recipes;
using EvoMerge.Merging.Vocabulary;
using EvoMerge.Tensors;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// Turns a recipe into a <see cref="MergePlan"/> and validates everything up front, so a bad recipe fails before
/// anything is written: the method exists; parameter names, types and required values; the base model and the
/// number of models each slice gives the method; every model directory exists with a known model_type (or the standard
/// layout, see <see cref="DecoderLayout.ForMerging"/>); all
/// models share the architecture; layer ranges fit; every input tensor exists with the same shape in every source.
/// Output tensors follow the first input model's <see cref="DecoderLayout"/>: embeddings (first slice, t = 0),
/// each slice's layers in order with output index = layers so far (t = idx/(L−1), or 1 when L = 1), then the head
/// (last slice, t = 0). A layout with several layer modules (an inferred multimodal model) takes <c>models:</c> only, as
/// mergekit: every module's layers merge in order, t = idx/(L−1) within the module (see <see cref="ModuleLayers"/>).
/// </summary>
public static class MergePlanner
{
    /// <summary>
    /// Plans a recipe. <paramref name="methods"/> looks methods up by name (default: <see cref="MergeMethodRegistry.Get"/>).
    /// Errors are <see cref="RecipeException"/>s naming the recipe line, or config/safetensors errors naming the file.
    /// </summary>
    public static MergePlan Build(MergeRecipe recipe, Func<string, IMergeMethod>? methods = null)
    {
        var method = FindMethod(recipe, methods ?? MergeMethodRegistry.Default.Get);
        CheckProxyTasks(recipe, method);
        var resolver = new ParameterResolver(recipe, method);
        var baseSources = recipe.Slices.Select(s => BaseSource(recipe, method, s)).ToArray();

        var opened = new List<PlannedModel>();
        try
        {
            var inputs = recipe.Slices.SelectMany(s => s.Sources).Select(s => Open(recipe, s.Model, opened)).ToList();
            var configDonor = Open(recipe, recipe.ConfigDonor, opened);
            var layout = MergeLayout(inputs.Append(configDonor).Distinct().ToList());
            var typeWarnings = inputs.Distinct().Append(configDonor).Distinct().Select(model => CheckArchitecture(model, inputs[0], layout)).OfType<string>().ToList();
            var tokenizerDonor = recipe.TokenizerSource is { } t ? Open(recipe, t, opened) : configDonor;
            var vocabulary = new VocabularyPlan(recipe, configDonor, [.. inputs.Append(configDonor).Distinct()], tokenizerDonor);

            var named = NamedModules(recipe, layout);
            var slices = ResolveSlices(recipe, method, opened, named, layout);
            var builder = new TensorPlanBuilder(recipe, resolver, opened, baseSources, layout, method);
            var tensors = new List<PlannedTensor>();
            PlannedTensor Rows(PlannedTensor tensor) => vocabulary.Apply(tensor, method, (slices[tensor.Slice].Recipe.BaseModel ?? recipe.BaseModel)?.Path, opened);
            var moduleWarnings = new List<RecipeWarning>();
            if (named is not null) tensors.AddRange(NamedModuleTensors(recipe, layout, named, builder, slices, Rows, moduleWarnings));
            else foreach (string name in layout.EmbeddingNames) tensors.AddRange(builder.Plan(name, slices, 0, 0.0, _ => name).Select(Rows));
            for (int s = 0; s < slices.Count && named is null; s++)
            {
                var slice = slices[s];
                for (int i = 0; i < slice.Length; i++)
                {
                    double position = ParameterResolver.LayerPosition(i, slice.Length);
                    foreach (string template in layout.LayerTemplate)
                    {
                        tensors.AddRange(builder.Plan(DecoderLayout.LayerName(template, slice.OutputStart + i), slices, s, position,
                            source => DecoderLayout.LayerName(template, slice.Ranges[source].Start + i)));
                    }
                }
            }
            if (named is null) tensors.AddRange(ModuleLayers(layout, builder, slices));
            // An inferred layout's loose weights are all mergekit's pre-weights (auto.py): the first slice gives them.
            int headSlice = layout.Inferred ? 0 : slices.Count - 1;
            foreach (string name in named is null ? layout.HeadNames : []) tensors.AddRange(builder.Plan(name, slices, headSlice, 0.0, _ => name).Select(Rows));

            return new MergePlan(recipe, method, opened, slices, tensors, configDonor, tokenizerDonor,
                OutputConfig(recipe, configDonor, slices, opened, vocabulary.OutputVocabSize, layout, named))
                {
                    Warnings = [.. recipe.Warnings, .. resolver.Warnings, .. moduleWarnings, .. TopOutlierWarning.Find(recipe, method, tensors), .. builder.SkippedInputs],
                    ArchitectureWarnings = [.. layout.Warning is { } w ? [w] : Array.Empty<string>(), .. typeWarnings],
                    Vocabulary = vocabulary.Vocabulary,
                    VocabularyWarnings = vocabulary.Warnings,
                };
        }
        catch
        {
            foreach (var model in opened) model.Directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <c>proxy_tasks</c> is read only by methods that need proxy activations (esm): they need one per merged
    /// (non-base) model, any other method none, and every key must be a model of the recipe.
    /// </summary>
    private static void CheckProxyTasks(MergeRecipe recipe, IMergeMethod method)
    {
        bool wanted = method.NeedsProxyActivations;
        if (!wanted && recipe.ProxyTasks.Count > 0)
            throw new RecipeException(recipe.File, recipe.ProxyTasks[0].Line, $"proxy_tasks is only read by methods that need proxy activations, not {method.Name}");
        if (!wanted) return;
        var sources = recipe.Slices.SelectMany(s => s.Sources).Select(s => s.Model).ToList();
        if (sources.FirstOrDefault(m => m.Adapter is not null) is { } lora)
            throw new RecipeException(recipe.File, lora.Line,
                $"{method.Name}'s proxy activations run each model, which a LoRA input ('{lora.Name}') does not support; merge the adapter first (merge_method: passthrough)");
        foreach (var task in recipe.ProxyTasks)
        {
            if (!sources.Any(m => m.SameModelAs(task.Model)))
                throw new RecipeException(recipe.File, task.Line, $"proxy_tasks names '{task.Model.Name}', which is not a model of the recipe");
            if (!File.Exists(task.TaskPath))
                throw new RecipeException(recipe.File, task.Line, $"proxy_tasks.{task.Model.Name}: eval task file {task.TaskPath} not found");
        }
        var missing = sources.Where(m => recipe.BaseModel is not { } b || !m.SameModelAs(b))
            .FirstOrDefault(m => !recipe.ProxyTasks.Any(t => t.Model.SameModelAs(m)));
        if (missing is not null)
            throw new RecipeException(recipe.File, recipe.MergeMethodLine,
                $"{method.Name} needs proxy activations: add proxy_tasks with an eval task YAML for model '{missing.Name}' (and every other merged model)");
    }

    private static IMergeMethod FindMethod(MergeRecipe recipe, Func<string, IMergeMethod> methods)
    {
        try
        {
            return methods(recipe.MergeMethod);
        }
        catch (MergeException e)
        {
            throw new RecipeException(recipe.File, recipe.MergeMethodLine, e.Message);
        }
    }

    /// <summary>Index of the slice source that is the method's base input, or −1; checks the base and model count rules.</summary>
    private static int BaseSource(MergeRecipe recipe, IMergeMethod method, RecipeSlice slice)
    {
        var baseModel = slice.BaseModel ?? recipe.BaseModel;
        int index = -1;
        if (method.BaseModel != BaseModelRule.Ignored && baseModel is not null)
        {
            index = slice.Sources.ToList().FindIndex(s => s.Model.SameModelAs(baseModel));
            if (index < 0)
                throw new RecipeException(recipe.File, slice.Line,
                    $"base_model '{baseModel.Name}' is not among the sources of {slice.Label}; {method.Name} takes the base tensor from the slice's sources");
        }
        if (method.BaseModel == BaseModelRule.Required && index < 0)
            throw new RecipeException(recipe.File, recipe.MergeMethodLine, $"{method.Name} needs a base_model");

        int others = slice.Sources.Count - (index < 0 ? 0 : 1);
        var (min, max) = method.ModelCount;
        if (others < min || others > max)
        {
            string expected = max == min ? $"exactly {min}" : max is null ? $"at least {min}" : $"{min} to {max}";
            string besides = method.BaseModel == BaseModelRule.Ignored ? "" : " besides the base model";
            throw new RecipeException(recipe.File, slice.Line,
                $"{method.Name} merges {expected} model(s){besides}; {slice.Label} gives {others}");
        }
        return index;
    }

    private static PlannedModel Open(MergeRecipe recipe, ModelReference reference, List<PlannedModel> opened)
    {
        var known = opened.FirstOrDefault(m => Denotes(m, reference));
        if (known is not null) return known;
        if (!Directory.Exists(reference.Path))
            throw new RecipeException(recipe.File, reference.Line, $"model '{reference.Name}': directory {reference.Path} not found"
                + (HuggingFaceCache.IsRepoId(reference.Name) ? $" (nor in the HuggingFace cache {HuggingFaceCache.FromEnvironment().RepositoryDirectory(reference.Name)}; EvoMerge does not download)" : ""));
        if (reference.Adapter is { } adapter && !Directory.Exists(adapter))
            throw new RecipeException(recipe.File, reference.Line, $"model '{reference.Name}': LoRA adapter directory {adapter} not found");
        var model = new PlannedModel(reference.Name, reference.Line, ModelDirectory.Open(reference.Path, reference.Adapter));
        opened.Add(model);
        if (reference.Adapter is not null) _ = model.Directory.Weights;
        return model;
    }

    private static bool Denotes(PlannedModel model, ModelReference reference) =>
        model.Path == reference.Path && model.Directory.AdapterPath == reference.Adapter;

    /// <summary>The opened model a reference resolves to (every referenced model is opened before it is looked up).</summary>
    private static PlannedModel Opened(List<PlannedModel> opened, ModelReference reference) => opened.First(m => Denotes(m, reference));

    /// <summary>
    /// mergekit turns <c>models:</c> into one slice per module; a top-level <c>slices:</c> list cannot say which module
    /// it slices, so a layout with several modules refuses it, as mergekit does. A <c>modules:</c> recipe names modules
    /// of <see cref="NamedModule.Of"/>; another name is refused as mergekit's KeyError. Returns the named modules (in
    /// recipe order) when the layout has several, so the recipe plans module by module; null otherwise.
    /// </summary>
    private static List<(RecipeModule Recipe, NamedModule Module)>? NamedModules(MergeRecipe recipe, DecoderLayout layout)
    {
        var known = NamedModule.Of(layout);
        var named = new List<(RecipeModule, NamedModule)>();
        foreach (var module in recipe.Slices.Select(s => s.Module).OfType<RecipeModule>().Distinct())
        {
            named.Add((module, known.FirstOrDefault(k => k.Name == module.Name) ?? throw new RecipeException(recipe.File, module.Line, known.Count == 1
                ? $"modules: '{module.Name}' is not a module of these models; their one module is 'default' (mergekit raises KeyError too)"
                : $"modules: '{module.Name}' is not a module of these models; their modules are {string.Join(", ", known.Select(k => k.Name))} (mergekit raises KeyError too)")));
        }
        if (named.Count > 0) return layout.Modules.Count > 1 ? named : null;
        if (layout.Modules.Count < 2 || recipe.Slices is [{ Label: "models" } only] && only.Sources.All(s => s.LayerRange is null)) return null;
        throw new RecipeException(recipe.File, recipe.Slices[0].Line,
            $"the models have {layout.Modules.Count} layer modules ({string.Join(", ", layout.Modules.Select(m => m.Name))}); give models: or modules:, not slices: (mergekit refuses slices for several modules too)");
    }

    /// <summary>
    /// A <c>modules:</c> recipe on a multi-module layout, planned as mergekit's plan_module does for each named module
    /// in order: its loose weights before the layers (first slice of the module, t = 0), each of its slices' layers
    /// with output index = the module's layers so far, then its loose weights after the layers (last slice). A module
    /// the recipe does not name is not written, as in mergekit; that is a warning naming it.
    /// </summary>
    private static IEnumerable<PlannedTensor> NamedModuleTensors(MergeRecipe recipe, DecoderLayout layout, List<(RecipeModule Recipe, NamedModule Module)> named,
        TensorPlanBuilder builder, List<PlannedSlice> slices, Func<PlannedTensor, PlannedTensor> rows, List<RecipeWarning> warnings)
    {
        foreach (var omitted in NamedModule.Of(layout).Where(k => !named.Any(n => n.Module.Name == k.Name)))
            warnings.Add(new RecipeWarning(recipe.File, named[0].Recipe.Line,
                $"modules: does not name module '{omitted.Name}' ({omitted.TensorCount} tensors)", "not written, as mergekit does"));
        var tensors = new List<PlannedTensor>();
        foreach (var (entry, module) in named)
        {
            var own = Enumerable.Range(0, slices.Count).Where(i => slices[i].Recipe.Module == entry).ToList();
            foreach (string name in module.Pre) tensors.AddRange(builder.Plan(name, slices, own[0], 0.0, _ => name).Select(rows));
            foreach (int s in own)
            {
                var slice = slices[s];
                for (int i = 0; i < slice.Length; i++)
                {
                    double position = ParameterResolver.LayerPosition(i, slice.Length);
                    foreach (string template in module.Stack!.LayerTemplate)
                    {
                        tensors.AddRange(builder.Plan(DecoderLayout.LayerName(template, slice.OutputStart + i), slices, s, position,
                            source => DecoderLayout.LayerName(template, slice.Ranges[source].Start + i)));
                    }
                }
            }
            foreach (string name in module.Post) tensors.AddRange(builder.Plan(name, slices, own[^1], 0.0, _ => name).Select(rows));
        }
        return tensors;
    }

    /// <summary>
    /// The layers of the modules after the first (only with <c>models:</c>, one slice): layer i of every source gives
    /// layer i of the output, t = i/(L−1) (1 when L = 1) with L the module's own layer count (mergekit's plan_slice per module).
    /// </summary>
    private static IEnumerable<PlannedTensor> ModuleLayers(DecoderLayout layout, TensorPlanBuilder builder, List<PlannedSlice> slices)
    {
        foreach (var module in layout.Modules.Skip(1))
        {
            for (int i = 0; i < module.LayerCount; i++)
            {
                double position = ParameterResolver.LayerPosition(i, module.LayerCount);
                foreach (string template in module.LayerTemplate)
                {
                    string name = DecoderLayout.LayerName(template, i);
                    foreach (var tensor in builder.Plan(name, slices, 0, position, _ => name)) yield return tensor;
                }
            }
        }
    }

    /// <summary>
    /// The layout the merge follows: the first model's, or, where any model's layout is inferred from its tensor names,
    /// the layout inferred from every model's names together (as mergekit's auto.py reads all of them: the union, a
    /// tensor some model or layer lacks being optional).
    /// </summary>
    private static DecoderLayout MergeLayout(List<PlannedModel> models)
    {
        // The warning and the config checks name the first model whose own layout is inferred (the reason to infer).
        var inferred = models.FirstOrDefault(m => m.Directory.MergeLayout.Inferred)?.Directory;
        return inferred is not null
            ? DecoderLayout.InferredFrom(inferred.Config, inferred.ConfigPath, [.. models.Select(m => m.Directory.Weights.Names)])
            : models[0].Directory.MergeLayout;
    }

    /// <summary>
    /// Refuses a model whose catalog architecture differs from the first model's; with an inferred layout (which holds
    /// every model's names, as mergekit infers from all models once one has no known architecture) a different
    /// model_type is merged, and the returned warning says so.
    /// </summary>
    private static string? CheckArchitecture(PlannedModel model, PlannedModel first, DecoderLayout layout)
    {
        var own = model.Directory.MergeLayout;
        if (layout.Inferred)
        {
            string firstType = first.Directory.Config.ModelType;
            return own.Config.ModelType == firstType ? null
                : $"{model.Directory.ConfigPath}: model_type differs between models ('{model.Name}' has {own.Config.ModelType}, '{first.Name}' {firstType}); merged by tensor names with the layout inferred from every model, as mergekit does";
        }
        string Describe(PlannedModel m, DecoderLayout l) =>
            $"'{m.Name}' ({m.Directory.ConfigPath}: model_type {l.Config.ModelType}, {l.LayerTemplate.Count} tensors per layer, tie_word_embeddings {l.Config.TieWordEmbeddings.ToString().ToLowerInvariant()})";
        if (own.Config.ModelType != layout.Config.ModelType || !own.Modules.Select(m => m.LayerPrefix).SequenceEqual(layout.Modules.Select(m => m.LayerPrefix))
            || !own.Modules.Zip(layout.Modules).All(p => p.First.LayerTemplate.SequenceEqual(p.Second.LayerTemplate)) || !own.HeadNames.SequenceEqual(layout.HeadNames))
            throw new ModelConfigException(model.Directory.ConfigPath, "model_type",
                $"architecture differs between models: {Describe(model, own)} vs {Describe(first, layout)}");
        return null;
    }

    /// <summary>
    /// Each slice's layer ranges (a <c>models:</c> source spans all layers of its module) and output start (layers of
    /// the same module so far). With named modules of a multi-module layout, a source's layers are those of the
    /// slice's module in that model (none for the loose weights' module).
    /// </summary>
    private static List<PlannedSlice> ResolveSlices(MergeRecipe recipe, IMergeMethod method, List<PlannedModel> opened, List<(RecipeModule Recipe, NamedModule Module)>? named,
        DecoderLayout layout)
    {
        var slices = new List<PlannedSlice>();
        var outputStarts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var slice in recipe.Slices)
        {
            string moduleName = named is null ? "" : slice.Module!.Name;
            int outputStart = outputStarts.GetValueOrDefault(moduleName);
            var ranges = new List<LayerRange>();
            foreach (var source in slice.Sources)
            {
                var sourceLayout = layout.Inferred ? layout : Opened(opened, source.Model).Directory.MergeLayout;
                int layers = named is null ? sourceLayout.LayerCount : NamedModule.Of(sourceLayout).FirstOrDefault(m => m.Name == moduleName)?.Stack?.LayerCount ?? 0;
                var range = source.LayerRange ?? new LayerRange(0, layers);
                if (range.End > layers)
                    throw new RecipeException(recipe.File, source.Line,
                        $"{source.Label}.layer_range {range} goes past the last layer of '{source.Model.Name}', which has {layers} layers");
                if (ranges.Count > 0 && range.Length != ranges[0].Length)
                    throw new RecipeException(recipe.File, source.Line,
                        $"'{source.Model.Name}' has {range.Length} layers but '{slice.Sources[0].Model.Name}' has {ranges[0].Length}; all sources of {slice.Label} must span the same number of layers");
                ranges.Add(range);
            }
            var baseModel = method.BaseModel == BaseModelRule.Ignored ? null : slice.BaseModel ?? recipe.BaseModel;
            slices.Add(new PlannedSlice(slice, outputStart, ranges[0].Length, ranges, baseModel));
            outputStarts[moduleName] = outputStart + ranges[0].Length;
        }
        return slices;
    }

    /// <summary>
    /// The output config.json: the donor's, with the layer count (one module: the family's key; named modules with
    /// mergekit's <see cref="NamedModule.LayerCountKey"/>, e.g. <c>text_config.num_hidden_layers</c>: the sum of the
    /// module's slices, as mergekit's <c>_model_out_config</c> sets it), the vocabulary size, the dtype and Gemma's
    /// <c>layer_types</c> following the merge.
    /// </summary>
    private static JsonObject OutputConfig(MergeRecipe recipe, PlannedModel donor, List<PlannedSlice> slices, List<PlannedModel> opened, int? vocabSize, DecoderLayout layout,
        List<(RecipeModule Recipe, NamedModule Module)>? named)
    {
        var raw = donor.Directory.Config.Raw;
        var changes = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        JsonObject? Nested(string key) => changes.TryGetValue(key, out var changed) ? changed as JsonObject
            : raw[key] is JsonObject own ? (JsonObject)(changes[key] = own.DeepClone()) : null;
        string layerKey = donor.Directory.Config.LayerCountKey;
        if (layout.Modules.Count == 1 && (donor.Directory.Config.Family is not null || raw.ContainsKey(layerKey))) changes[layerKey] = slices.Sum(s => s.Length);
        foreach (var (entry, module) in named ?? [])
        {
            if (module.LayerCountKey?.Split('.') is not [string parent, string field] || Nested(parent) is not { } holder) continue;
            holder[field] = slices.Where(s => s.Recipe.Module == entry).Sum(s => s.Length);
        }
        if (vocabSize is { } rows && !raw.ContainsKey("vocab_size") && raw["text_config"] is JsonObject text && text.ContainsKey("vocab_size"))
        {
            // A multimodal config keeps the text decoder's vocab_size in text_config (gemma3vl.json's vocab_size_config_key).
            Nested("text_config")!["vocab_size"] = rows;
        }
        else if (vocabSize is { } count) changes["vocab_size"] = count;
        if ((recipe.OutDType ?? recipe.DType) is { } dtype)
        {
            changes["torch_dtype"] = DTypes.ToTorchName(dtype);
            if (raw.ContainsKey("dtype")) changes["dtype"] = DTypes.ToTorchName(dtype);
        }
        if (raw["layer_types"] is JsonArray donorTypes && donorTypes.Count > 0)
        {
            var types = new JsonArray();
            foreach (var slice in slices)
            {
                var first = Opened(opened, slice.Recipe.Sources[0].Model).Directory.Config.Raw["layer_types"] as JsonArray;
                for (int i = 0; i < slice.Length; i++)
                {
                    int source = slice.Ranges[0].Start + i;
                    types.Add((first is not null && source < first.Count ? first[source] : donorTypes[0])?.DeepClone());
                }
            }
            changes["layer_types"] = types;
        }
        return donor.Directory.Config.WithFields(changes);
    }

    /// <summary>
    /// Plans single output tensors: inputs, existence and shape checks, parameters and dtypes. The task-arithmetic
    /// family leaves a model whose tensor has another shape than the base's, embeddings aside, out of that tensor with
    /// one warning, as mergekit's <c>get_task_vectors</c> skips it; otherwise a shape mismatch is an error. A tensor
    /// the layout marks optional (<see cref="DecoderLayout.IsOptional"/>) is merged over the inputs that hold it, as
    /// mergekit's planner and <c>GatherTensors</c> do: not written when none does; the lone input where only one does
    /// and the method returns a lone tensor as it is (<see cref="CopiesLoneTensor"/>); not written by model_stock when
    /// fewer than 3 hold it (unless the base alone does); an error where the base lacks it but another input holds it,
    /// or nuslerp with a base gets fewer than 3 (mergekit raises there too); otherwise the method merges the inputs that hold it.
    /// </summary>
    private sealed class TensorPlanBuilder(MergeRecipe recipe, ParameterResolver resolver, List<PlannedModel> opened, int[] baseSources,
        DecoderLayout layout, IMergeMethod method)
    {
        /// <summary>Methods whose mergekit task returns the one tensor it gets as it is (slerp, nuslerp, karcher, multislerp, arcee_fusion).</summary>
        private static readonly HashSet<string> CopiesLoneTensor = new(StringComparer.Ordinal) { "slerp", "nuslerp", "karcher", "multislerp", "arcee_fusion" };

        private readonly List<RecipeWarning> _skipped = [];
        private readonly bool _skipsMismatchedModels = method is Methods.GeneralizedTaskArithmetic;

        /// <summary>One warning per tensor and model left out for its shape.</summary>
        public IReadOnlyList<RecipeWarning> SkippedInputs => _skipped;

        private TensorInfo? BaseInfo(RecipeSlice slice, int baseSource, Func<int, string> inputName)
        {
            if (baseSource < 0) return null;
            var weights = Opened(opened, slice.Sources[baseSource].Model).Directory.Weights;
            string name = inputName(baseSource);
            return weights.Contains(name) ? weights.Info(name) : null;
        }

        /// <summary>The planned tensor, or nothing for an optional tensor no input holds.</summary>
        public IEnumerable<PlannedTensor> Plan(string outputName, List<PlannedSlice> slices, int sliceIndex, double t, Func<int, string> inputName)
        {
            var slice = slices[sliceIndex].Recipe;
            PlannedInput? baseInput = null;
            var models = new List<PlannedInput>();
            TensorInfo? firstInfo = null;
            PlannedModel? firstModel = null;
            var baseInfo = _skipsMismatchedModels ? BaseInfo(slice, baseSources[sliceIndex], inputName) : null;
            int lacking = 0;
            for (int j = 0; j < slice.Sources.Count; j++)
            {
                var source = slice.Sources[j];
                var model = Opened(opened, source.Model);
                string name = inputName(j);
                var weights = model.Directory.Weights;
                if (!weights.Contains(name))
                {
                    if (!layout.IsOptional(outputName))
                        throw new RecipeException(recipe.File, source.Line, $"model '{model.Name}' ({model.Path}) has no tensor '{name}'");
                    lacking++;
                    continue;
                }
                var info = weights.Info(name);
                bool isBase = baseSources[sliceIndex] == j;
                if (baseInfo is not null && !isBase && !info.Shape.SequenceEqual(baseInfo.Shape) && !VocabularyPlan.RowsMayDiffer(layout.RoleOf(outputName), info, baseInfo))
                {
                    _skipped.Add(new RecipeWarning(recipe.File, source.Line,
                        $"tensor '{name}' has shape {info.ShapeText} in model '{model.Name}' but {baseInfo.ShapeText} in the base model",
                        $"'{model.Name}' is left out of this tensor, as mergekit skips it"));
                    continue;
                }
                if (firstInfo is null)
                {
                    firstInfo = info;
                    firstModel = model;
                }
                else if (!info.Shape.SequenceEqual(firstInfo.Shape) && !VocabularyPlan.RowsMayDiffer(layout.RoleOf(outputName), info, firstInfo))
                {
                    throw new RecipeException(recipe.File, source.Line,
                        $"tensor '{name}' has shape {info.ShapeText} in model '{model.Name}' but {firstInfo.ShapeText} in model '{firstModel!.Name}' ('{firstInfo.Name}')");
                }
                var input = new PlannedInput(model, name, resolver.PerModel(slice, source, isBase, name, t));
                if (isBase) baseInput = input;
                else models.Add(input);
            }
            int present = models.Count + (baseInput is null ? 0 : 1);
            if (present == 0) yield break;
            if (lacking > 0)
            {
                if (present == 1 && CopiesLoneTensor.Contains(method.Name))
                {
                    // mergekit's task returns a lone tensor as it is; the executor returns a base-only tensor as it is.
                    baseInput ??= models[0];
                    models.Clear();
                }
                else if (method.Name == "model_stock" && present < 3 && !(baseInput is not null && present == 1))
                {
                    yield break; // mergekit's ModelStockMergeTask discards an optional weight fewer than 3 models hold
                }
                else if (baseSources[sliceIndex] >= 0 && (baseInput is null || method.Name == "nuslerp"))
                {
                    var baseSource = slice.Sources[baseSources[sliceIndex]];
                    throw new RecipeException(recipe.File, baseSource.Line, baseInput is null
                        ? $"tensor '{inputName(baseSources[sliceIndex])}' is missing from the base model '{baseSource.Model.Name}' but held by '{models[0].Model.Name}'; {method.Name} needs the base's tensor (mergekit raises too)"
                        : $"tensor '{outputName}' is held by only {present} of the 3 models; nuslerp with a base needs all three (mergekit raises too)");
                }
            }
            var reference = baseInput ?? models[0];
            var stored = reference.Model.Directory.Weights.Info(reference.TensorName).DType.ToScalarType();
            yield return new PlannedTensor
            {
                Name = outputName,
                Role = layout.RoleOf(outputName),
                Slice = sliceIndex,
                T = t,
                Base = baseInput,
                Models = models,
                Global = resolver.Global(slice, outputName, t),
                Shape = (baseInfo ?? firstInfo!).Shape,
                ComputeDType = recipe.DType ?? stored,
                OutputDType = recipe.OutDType ?? recipe.DType ?? stored,
            };
        }
    }
}
