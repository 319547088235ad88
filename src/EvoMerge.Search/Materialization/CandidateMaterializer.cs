using System.Text.Json.Nodes;
using EvoMerge.Inference;
using EvoMerge.Merging;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Merging.Sparsification;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Routed;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Search.Materialization;

/// <summary>
/// Builds candidates in memory, straight into one <see cref="DecoderModel"/>'s own tensors, without writing to disk.
/// A candidate costs one model's memory beyond the sources: the base and source tensors are read per tensor, as
/// stored (a bf16 source stays bf16 in the page cache), into reused buffers (<see cref="InputTensorReader"/>: one per
/// input slot, sized for the largest tensor) and converted to the merge dtype there; no source is held whole. Every
/// candidate then runs exactly the computation
/// <c>evomerge merge</c> runs for its recipe (the recipe text is parsed and planned, each output tensor is merged by
/// the registered method with the same resolved parameters and the same per-tensor generator seed) but takes its
/// inputs from memory and writes the result into the model's own tensor (the method writes there directly when it
/// can, see <see cref="MergeContext.Destination"/>; otherwise with <c>copy_</c>), so the candidate's weights are
/// bit-identical to the merged model on disk. Task vectors (model − base, in the compute dtype) are not stored: the
/// task-arithmetic family forms them element by element in its fused float32 pass. Magnitude orders for TIES-like
/// selection are grouped once per source tensor (on first use), so any density's cut is a count over one group; they and the
/// subspace methods' decompositions of the task updates (tsv, iso_c, iso_cts, esm) live in one
/// <see cref="MergeFactorCache"/> for the materialiser's lifetime, bounded by its byte budget (least recently used
/// first out), so later candidates skip them with bit-identical results.
/// With a layer ordering, the model has one layer per slot (T = r × L): stage 1 merges into a resident buffer, kept
/// slots are filled from it or from the sources (passthrough with the slot's scale), and skipped slots become exact
/// identity layers (the <see cref="ResidualOutputProjections"/> zero, so both residual branches add nothing). Every
/// buffer is allocated once, so memory stays flat however many candidates are built.
/// A routed candidate (<c>merge_method: routed</c>, <see cref="RoutedMergeRecipe"/>) merges its backbone the same way,
/// then gets its experts and router built in memory (<see cref="RoutedCandidateExperts"/>) and attached to the model
/// (<see cref="DecoderModel.UseExperts"/>), which disposes the previous candidate's; a static candidate detaches them.
/// </summary>
public sealed class CandidateMaterializer : IDisposable
{
    private readonly ModelDirectory[] _models;
    private readonly Dictionary<string, int> _modelIndex = new(StringComparer.Ordinal);
    private readonly InputTensorReader _reader = new();
    private readonly Dictionary<string, torch.Tensor>? _stage1;
    private readonly MergeFactorCache _factors;
    private readonly DecoderLayout _layout;
    private readonly Func<string, IMergeMethod> _methods;
    private readonly string _stageRoot;
    private readonly IProxyActivations? _proxy;
    private readonly MergeMethodRegistry _registry;
    private readonly RoutedCandidateExperts _routed;

    /// <param name="baseModel">Base model directory.</param>
    /// <param name="sources">Source model directories.</param>
    /// <param name="dtype">Merge and model dtype.</param>
    /// <param name="slotCount">Layer slots of the data-flow space, or 0 without a layer ordering.</param>
    /// <param name="methods">Method lookup (default: <see cref="MergeMethodRegistry.Get"/>).</param>
    /// <param name="proxyActivations">Proxy activations for methods that need them (the materialiser disposes them when they are disposable), or null.</param>
    /// <param name="factorCacheBytes">Budget of the cache of source-only intermediates (<see cref="MergeFactorCache"/>); 0 keeps none.</param>
    /// <param name="registry">The methods a routed recipe's backbone may name (default: <see cref="MergeMethodRegistry.Default"/>).</param>
    public CandidateMaterializer(string baseModel, IReadOnlyList<string> sources, torch.ScalarType dtype, int slotCount = 0,
        Func<string, IMergeMethod>? methods = null, IProxyActivations? proxyActivations = null, long factorCacheBytes = FactorCacheDefaultBytes,
        MergeMethodRegistry? registry = null)
    {
        _registry = registry ?? MergeMethodRegistry.Default;
        _routed = new RoutedCandidateExperts(baseModel);
        _factors = new MergeFactorCache(factorCacheBytes);
        _proxy = proxyActivations;
        _methods = methods ?? MergeMethodRegistry.Default.Get;
        DType = dtype;
        _models = [.. new[] { baseModel }.Concat(sources).Select(ModelDirectory.Open)];
        _stageRoot = Path.Combine(Path.GetTempPath(), "evomerge-in-memory");
        try
        {
            if (MultimodalTextPart.Covers(_models[0].Config.ModelType))
                throw new ModelConfigException(_models[0].ConfigPath, "model_type",
                    $"'{_models[0].Config.ModelType}' (multimodal) is merged and evaluated but not searched yet: search its text decoder saved as a gemma3_text model");
            _layout = _models[0].Layout;
            for (int m = 0; m < _models.Length; m++)
            {
                _modelIndex[Key(_models[m].Path)] = m;
                foreach (string name in _layout.ExpectedNames())
                {
                    var weights = _models[m].Weights;
                    if (!weights.Contains(name)) throw new SafetensorsFormatException(_models[m].Path, name, "missing from the model's weights");
                    _reader.Reserve(weights.Info(name).ElementCount);
                }
            }
            if (slotCount > 0)
            {
                _stage1 = _layout.ExpectedNames().ToDictionary(n => n, n => torch.empty(_models[0].Weights.Info(n).Shape, dtype).DetachFromDisposeScope(), StringComparer.Ordinal);
            }
            SlotCount = slotCount;
            Model = CreateModel(slotCount > 0 ? slotCount : _layout.Config.NumHiddenLayers);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Default budget of the factor cache: 4 GiB (config <c>merge.factor_cache_mb</c>, default 4096).</summary>
    public const long FactorCacheDefaultBytes = 4096L << 20;

    /// <summary>The cache of source-only intermediates kept between candidates (hits, misses, bytes held).</summary>
    public MergeFactorCache Factors => _factors;

    /// <summary>The candidate model; its tensors hold the last materialised candidate.</summary>
    public DecoderModel Model { get; private set; } = null!;

    /// <summary>Merge and model dtype.</summary>
    public torch.ScalarType DType { get; }

    /// <summary>Layer slots (0 without a layer ordering).</summary>
    public int SlotCount { get; }

    /// <summary>Bytes of tensors held: the input buffers, the stage 1 buffer and the model.</summary>
    public long ResidentBytes =>
        InputBytes + (_stage1?.Values.AsEnumerable() ?? []).Concat(Model.Parameters.Values).Sum(t => t.numel() * t.ElementSize);

    /// <summary>Bytes of the reused input buffers (one per input slot and dtype, each sized for the largest tensor).</summary>
    public long InputBytes => _reader.BufferBytes;

    /// <summary>
    /// Writes a candidate's weights into <see cref="Model"/>; merged weights holding NaN or ±∞ are an
    /// <see cref="InvalidDataException"/> naming the first such tensor (the search records the candidate as failed, so infeasible).
    /// </summary>
    public void Materialize(CandidateRecipe recipe)
    {
        if ((recipe.DataFlow is null) != (_stage1 is null))
            throw new ArgumentException(recipe.DataFlow is null ? "a layer ordering is configured but the recipe has no data-flow stage" : "the recipe has a data-flow stage but no layer ordering is configured");
        var parsed = RecipeReader.Parse(recipe.ParameterSpace, CandidateRecipe.ParameterSpaceFileName, _stageRoot);
        if (parsed.DType != DType) throw new ArgumentException($"the recipe's dtype differs from the materialiser's ({DType})");
        var routed = RoutedMergeRecipe.Of(parsed, _registry);
        if (routed is not null && recipe.DataFlow is not null) throw new ArgumentException("a routed recipe cannot have a data-flow stage");
        Model.UseExperts(null);
        using (var plan = MergePlanner.Build(routed?.Backbone ?? parsed, _methods))
        {
            var target = _stage1 ?? Model.Parameters;
            var statistics = LayerStatisticsPass.Compute(plan.Method, plan.Tensors, t => Inputs(plan.Method, t), _proxy, _factors);
            foreach (var tensor in plan.Tensors)
            {
                using var scope = torch.NewDisposeScope();
                var destination = target[tensor.Name];
                var merged = Merge(plan.Method, tensor, recipe.MergeSeed, destination, statistics);
                if (!ReferenceEquals(merged, destination)) destination.copy_(merged);
            }
        }
        if (recipe.DataFlow is { } dataFlow) StackLayers(dataFlow, recipe.KeptSlots!);
        if (NonFiniteValues.FirstIn(Model.Parameters) is { } name)
            throw new InvalidDataException($"merged weights are not finite: tensor '{name}' holds NaN or infinite values");
        if (routed is not null) Model.UseExperts(_routed.Build(routed, Model, path => _models[ModelIndex(path)]));
    }

    /// <summary>The same steps as <see cref="MergeExecutor.Merge"/>, with inputs from memory.</summary>
    private torch.Tensor Merge(IMergeMethod method, PlannedTensor tensor, ulong seed, torch.Tensor destination, LayerStatistics? statistics)
    {
        var (baseInput, models) = Inputs(method, tensor);
        bool writable = destination.dtype == tensor.ComputeDType && destination.shape.SequenceEqual(tensor.Shape) && destination.is_contiguous();
        return PlannedTensorMerge.Run(method, tensor, baseInput, models, seed, writable ? destination : null, _proxy, statistics, _factors);
    }

    /// <summary>A tensor's inputs, read into the reader's slots (base in slot 0, models from slot 1): valid until the next call.</summary>
    private (MergeInput? Base, IReadOnlyList<MergeInput> Models) Inputs(IMergeMethod method, PlannedTensor tensor)
    {
        int slot = 0;
        var baseInput = tensor.Base is { } b ? new MergeInput(b.Model.Name, Read(slot++, b.Model.Path, b.TensorName), b.Parameters) : null;
        int? baseModel = tensor.Base is { } known ? ModelIndex(known.Model.Path) : null;
        bool ordered = baseModel == 0 && method.TakesMagnitudeOrder;
        var models = new List<MergeInput>(tensor.Models.Count);
        foreach (var input in tensor.Models)
        {
            int model = ModelIndex(input.Model.Path);
            var values = Read(slot++, input.Model.Path, input.TensorName);
            var magnitudes = ordered ? Magnitudes(model, input.TensorName, values, tensor.Base!.TensorName == input.TensorName ? baseInput!.Tensor : null) : null;
            models.Add(new(input.Model.Name, values, input.Parameters, magnitudes));
        }
        return (baseInput, models);
    }

    /// <summary>Tensor <paramref name="name"/> of the model at <paramref name="path"/> in the merge dtype, in reader slot <paramref name="slot"/>.</summary>
    private torch.Tensor Read(int slot, string path, string name) => Read(slot, ModelIndex(path), name);

    private torch.Tensor Read(int slot, int model, string name) => _reader.Read(slot, _models[model].Weights, name, DType);

    /// <summary>
    /// The magnitude order of source <paramref name="model"/>'s task vector for one tensor, grouped once on first use from
    /// its values and the base's (<paramref name="baseValues"/>, or read into a spare slot when null), kept in the factor cache.
    /// </summary>
    private MagnitudeOrder? Magnitudes(int model, string name, torch.Tensor values, torch.Tensor? baseValues)
    {
        if (model == 0) return null;
        return _factors.Value(FormattableString.Invariant($"magnitude-order\u001f{model}\u001f{name}"),
            () => MagnitudeOrder.FromModel(values, baseValues ?? Read(SpareSlot, 0, name)), order => order.Bytes);
    }

    /// <summary>A reader slot after every input slot, for the base tensor of a magnitude order.</summary>
    private int SpareSlot => _models.Length + 1;

    private int ModelIndex(string path) =>
        _modelIndex.TryGetValue(Key(path), out int index) ? index : throw new ArgumentException($"the recipe names model {path}, which is not loaded");

    /// <summary>Stage 2: kept slots from the stage 1 buffer or the sources (passthrough with the slice's scale), skipped slots as identity layers.</summary>
    private void StackLayers(string dataFlow, IReadOnlyList<int> keptSlots)
    {
        var recipe = RecipeReader.Parse(dataFlow, CandidateRecipe.DataFlowFileName, _stageRoot);
        var method = _methods(recipe.MergeMethod);
        var resolver = new ParameterResolver(recipe, method);
        var parameters = Model.Parameters;
        if (recipe.Slices.Count != keptSlots.Count) throw new ArgumentException("the data-flow recipe and the kept slots disagree");

        void Pass(RecipeSlice slice, string inputName, string outputName, string physicalName, double t)
        {
            using var scope = torch.NewDisposeScope();
            var source = slice.Sources[0];
            var tensor = source.Model.Name == CandidateRecipe.MergedModelName ? _stage1![inputName] : Read(0, source.Model.Path, inputName);
            var merged = method.Merge(new MergeContext
            {
                TensorName = outputName,
                IsEmbedding = DecoderLayout.Classify(outputName).IsEmbedding,
                Models = [new MergeInput(source.Model.Name, tensor, resolver.PerModel(slice, source, false, inputName, t))],
                Global = resolver.Global(slice, outputName, t),
            });
            parameters[physicalName].copy_(merged);
        }

        foreach (string name in _layout.EmbeddingNames) Pass(recipe.Slices[0], name, name, name, 0.0);
        for (int j = 0; j < recipe.Slices.Count; j++)
        {
            var slice = recipe.Slices[j];
            int layer = slice.Sources[0].LayerRange!.Value.Start;
            double t = ParameterResolver.LayerPosition(0, 1);
            foreach (string template in _layout.LayerTemplate)
                Pass(slice, DecoderLayout.LayerName(template, layer), DecoderLayout.LayerName(template, j), DecoderLayout.LayerName(template, keptSlots[j]), t);
        }
        foreach (string name in _layout.HeadNames) Pass(recipe.Slices[^1], name, name, name, 0.0);

        var kept = keptSlots.ToHashSet();
        for (int slot = 0; slot < SlotCount; slot++)
        {
            if (kept.Contains(slot)) continue;
            // zero_ and copy_ hand back new tensor handles; the scope disposes them (not the parameters) at once.
            using var scope = torch.NewDisposeScope();
            int layer = slot % _layout.Config.NumHiddenLayers;
            foreach (string template in _layout.LayerTemplate)
            {
                var destination = parameters[DecoderLayout.LayerName(template, slot)];
                if (ResidualOutputProjections.Covers(template)) destination.zero_();
                else destination.copy_(Read(0, 0, DecoderLayout.LayerName(template, layer)));
            }
        }
    }

    private DecoderModel CreateModel(int layers)
    {
        var baseConfig = _layout.Config;
        var changes = new Dictionary<string, JsonNode?>(StringComparer.Ordinal) { ["num_hidden_layers"] = layers };
        if (baseConfig.Raw["layer_types"] is JsonArray types && types.Count > 0)
        {
            var repeated = new JsonArray();
            for (int i = 0; i < layers; i++) repeated.Add(types[i % types.Count]?.DeepClone());
            changes["layer_types"] = repeated;
        }
        var config = ModelConfig.FromJson(baseConfig.WithFields(changes), _models[0].ConfigPath);
        var layout = DecoderLayout.For(config, _models[0].ConfigPath);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var initial = new Dictionary<string, torch.Tensor>(StringComparer.Ordinal);
        using (torch.NewDisposeScope())
        {
            // The model starts as the base (repeated layers for the slots), filled tensor by tensor below: the weights are
            // built from zero-stride placeholders, so no second copy of the model exists at any time.
            var zero = torch.zeros(1, DType);
            foreach (string name in layout.ExpectedNames())
            {
                var role = DecoderLayout.Classify(name);
                sources[name] = role.Group == TensorGroup.Layer
                    ? DecoderLayout.LayerName("model.layers.{i}." + role.LocalName, role.Layer % baseConfig.NumHiddenLayers)
                    : name;
                initial[name] = zero.expand(_models[0].Weights.Info(sources[name]).Shape);
            }
            var model = DecoderModel.Create(DecoderWeights.FromTensors(config, _models[0].ConfigPath, initial, DType));
            foreach (var (name, parameter) in model.Parameters)
            {
                using var inner = torch.NewDisposeScope();
                parameter.copy_(Read(0, 0, sources[name]));
            }
            return model;
        }
    }

    private static string Key(string path) => Path.GetFullPath(path).TrimEnd('/');

    /// <inheritdoc />
    public void Dispose()
    {
        Model?.Dispose();
        foreach (var tensor in _stage1?.Values.AsEnumerable() ?? []) tensor.Dispose();
        _reader.Dispose();
        _stage1?.Clear();
        foreach (var model in _models ?? []) model?.Dispose();
        (_proxy as IDisposable)?.Dispose();
        _factors.Dispose();
    }
}
