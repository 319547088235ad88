using System.Globalization;
using System.Runtime.CompilerServices;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Routed;
using TorchSharp;

namespace EvoMerge.Inference.Routed;

/// <summary>
/// The extra part of a routed-experts model (docs/routed-merges.md): per decoder layer from the router layer on,
/// every expert's low-rank factors of the seven linear weights (q/k/v/o, gate/up/down), and the
/// <see cref="PrototypeRouter"/>. Read and checked against config.json: every factor's shape must fit its weight,
/// A and B must agree on the rank, and a tensor named like a factor that no weight or expert owns is an error.
/// </summary>
public sealed class RoutedExperts : IDisposable
{
    /// <summary>The routed linear weights of a layer, by their name after <c>model.layers.{i}.</c>.</summary>
    public static readonly IReadOnlyList<string> LinearNames =
    [
        "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight", "self_attn.o_proj.weight",
        "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight",
    ];

    private readonly Dictionary<string, LowRankExperts> _linears;
    private readonly StrongBox<long> _evaluations;

    private RoutedExperts(RoutedExpertsConfig config, PrototypeRouter router, Dictionary<string, LowRankExperts> linears, StrongBox<long> evaluations)
    {
        Config = config;
        Router = router;
        _linears = linears;
        _evaluations = evaluations;
    }

    /// <summary>The config.json block.</summary>
    public RoutedExpertsConfig Config { get; }

    /// <summary>The router.</summary>
    public PrototypeRouter Router { get; }

    /// <summary>Parameters of all factors and the prototypes (what routing adds to the backbone).</summary>
    public long ParameterCount => _linears.Values.Sum(l => l.ParameterCount) + PrototypeParameters;

    private long PrototypeParameters { get; init; }

    /// <summary>
    /// Expert updates computed so far, one per routed linear call, expert and routing unit it ran on (a row for
    /// sequence routing, a token for token routing): a test's observable of skipped experts, which are not counted.
    /// </summary>
    internal long ExpertEvaluations => Interlocked.Read(ref _evaluations.Value);

    /// <summary>
    /// Whether experts without weight are skipped (the default; with top_k = experts every expert is computed in one
    /// stacked pass). Off, every expert runs in that stacked pass whatever its weight: for tests and benchmarks
    /// comparing both (set it before scoring, not while another thread scores).
    /// </summary>
    public bool SkipsUnweightedExperts { get; set; } = true;

    /// <summary>Expert factors of weight <paramref name="weightName"/>, or null (a layer before the router layer, or no expert has rank there).</summary>
    internal LowRankExperts? Of(string weightName) => _linears.GetValueOrDefault(weightName);

    /// <summary>Reads the block and the tensors of a routed-experts model directory in <paramref name="dtype"/> (the prototypes stay fp32).</summary>
    public static RoutedExperts Load(ModelDirectory directory, ModelConfig config, torch.ScalarType dtype)
    {
        var block = RoutedExpertsConfig.Read(config, directory.ConfigPath)
            ?? throw new ModelConfigException(directory.ConfigPath, RoutedExpertsConfig.Key, "is missing");
        if (config.ModelType is "phi3" or "mixtral" || MultimodalTextPart.Covers(config.ModelType))
            throw new ModelConfigException(directory.ConfigPath, "model_type", $"'{config.ModelType}' is not supported for routed experts (q/k/v/o and gate/up/down layers only)");
        var weights = directory.Weights;
        var layout = directory.Layout;
        var owned = new HashSet<string>(StringComparer.Ordinal) { RoutedExpertsConfig.PrototypesName };
        var linears = new Dictionary<string, LowRankExperts>(StringComparer.Ordinal);
        var evaluations = new StrongBox<long>();
        PrototypeRouter? router = null;
        try
        {
            for (int layer = block.RouterLayer; layer < config.NumHiddenLayers; layer++)
            {
                foreach (string local in LinearNames)
                {
                    string name = DecoderLayout.LayerName("model.layers.{i}." + local, layer);
                    var shape = layout.ExpectedShape(name) ?? throw new ModelConfigException(directory.ConfigPath, "model_type", $"has no linear weight {name} to route");
                    var experts = LoadLinear(weights, name, shape, block.Experts, dtype, owned, evaluations);
                    if (experts is not null) linears[name] = experts;
                }
            }
            if (!weights.Contains(RoutedExpertsConfig.PrototypesName))
                throw new SafetensorsFormatException(directory.Path, RoutedExpertsConfig.PrototypesName, "missing from the routed model's weights");
            var info = weights.Info(RoutedExpertsConfig.PrototypesName);
            if (!info.Shape.SequenceEqual([block.Experts, config.HiddenSize]))
                throw new SafetensorsFormatException(weights.FileOf(RoutedExpertsConfig.PrototypesName).Path, RoutedExpertsConfig.PrototypesName,
                    $"shape {info.ShapeText} does not match config.json (expected [{block.Experts}, {config.HiddenSize}])");
            using (var prototypes = weights.Load(RoutedExpertsConfig.PrototypesName, torch.ScalarType.Float32))
                router = new PrototypeRouter(prototypes, block.Temperature, block.TopK, block.Granularity);
            foreach (string name in weights.Names)
            {
                if ((name.Contains(".routed_experts.", StringComparison.Ordinal) || name.StartsWith(RoutedExpertsConfig.Key + ".", StringComparison.Ordinal)) && !owned.Contains(name))
                    throw new SafetensorsFormatException(weights.FileOf(name).Path, name,
                        $"is not a factor of a routed layer ({block.Experts} experts, layers {block.RouterLayer} … {config.NumHiddenLayers - 1}) or the router");
            }
            return new RoutedExperts(block, router, linears, evaluations) { PrototypeParameters = (long)block.Experts * config.HiddenSize };
        }
        catch
        {
            foreach (var l in linears.Values) l.Dispose();
            router?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Routed experts held in memory, as <see cref="Load"/> would read them back from the directory
    /// <see cref="RoutedModelWriter"/> writes with the same block, factors and prototypes: each factor converted to
    /// <paramref name="storageDtype"/> (the backbone's dtype on disk) and then to <paramref name="dtype"/>, stacked in
    /// expert order; the prototypes in fp32. The factors are only read (the caller keeps them).
    /// </summary>
    public static RoutedExperts FromFactors(RoutedExpertsConfig block, ModelConfig config, IReadOnlyList<RoutedModelWriter.Factor> factors, torch.Tensor prototypes,
        torch.ScalarType storageDtype, torch.ScalarType dtype)
    {
        if (!prototypes.shape.SequenceEqual([block.Experts, config.HiddenSize]))
            throw new ArgumentException($"router prototypes [{string.Join(", ", prototypes.shape)}] must be [{block.Experts}, {config.HiddenSize}]");
        var routed = Enumerable.Range(block.RouterLayer, Math.Max(0, config.NumHiddenLayers - block.RouterLayer))
            .SelectMany(layer => LinearNames.Select(local => DecoderLayout.LayerName("model.layers.{i}." + local, layer)))
            .ToHashSet(StringComparer.Ordinal);
        var linears = new Dictionary<string, LowRankExperts>(StringComparer.Ordinal);
        var evaluations = new StrongBox<long>();
        try
        {
            foreach (var group in factors.GroupBy(f => f.WeightName, StringComparer.Ordinal))
            {
                if (!routed.Contains(group.Key)) throw new ArgumentException($"{group.Key} is not a routed linear weight (layers {block.RouterLayer} … {config.NumHiddenLayers - 1})");
                using var scope = torch.NewDisposeScope();
                var ordered = group.OrderBy(f => f.Expert).ToList();
                if (ordered.Select(f => f.Expert).Distinct().Count() != ordered.Count || ordered.Any(f => f.Expert < 0 || f.Expert >= block.Experts))
                    throw new ArgumentException($"{group.Key}: experts must be distinct and 0 … {block.Experts - 1}");
                var a = ordered.Select(f => f.A.to(storageDtype).to(dtype)).ToList();
                var b = ordered.Select(f => f.B.to(storageDtype).to(dtype)).ToList();
                var columns = ordered.SelectMany(f => Enumerable.Repeat((long)f.Expert, (int)f.A.shape[0])).ToArray();
                var ranks = new long[block.Experts];
                foreach (var f in ordered) ranks[f.Expert] = f.A.shape[0];
                linears[group.Key] = new LowRankExperts(torch.cat(a, 0).DetachFromDisposeScope(), torch.cat(b, 1).contiguous().DetachFromDisposeScope(),
                    torch.tensor(columns).DetachFromDisposeScope(), ranks, evaluations);
            }
            var router = new PrototypeRouter(prototypes, block.Temperature, block.TopK, block.Granularity);
            return new RoutedExperts(block, router, linears, evaluations) { PrototypeParameters = (long)block.Experts * config.HiddenSize };
        }
        catch
        {
            foreach (var l in linears.Values) l.Dispose();
            throw;
        }
    }

    private static LowRankExperts? LoadLinear(ModelWeights weights, string name, long[] shape, int experts, torch.ScalarType dtype, HashSet<string> owned,
        StrongBox<long> evaluations)
    {
        long outFeatures = shape[0], inFeatures = shape[1];
        var a = new List<torch.Tensor>();
        var b = new List<torch.Tensor>();
        var columns = new List<long>();
        var ranks = new long[experts];
        using var scope = torch.NewDisposeScope();
        for (int s = 0; s < experts; s++)
        {
            string aName = RoutedExpertsConfig.FactorName(name, s, "lora_A"), bName = RoutedExpertsConfig.FactorName(name, s, "lora_B");
            bool hasA = weights.Contains(aName), hasB = weights.Contains(bName);
            if (!hasA && !hasB) continue;
            if (hasA != hasB)
            {
                string missing = hasA ? bName : aName;
                throw new SafetensorsFormatException(weights.FileOf(hasA ? aName : bName).Path, missing, $"missing (expert {s.ToString(CultureInfo.InvariantCulture)} needs both lora_A and lora_B)");
            }
            var aInfo = weights.Info(aName);
            var bInfo = weights.Info(bName);
            if (aInfo.Shape.Length != 2 || aInfo.Shape[1] != inFeatures || aInfo.Shape[0] < 1)
                throw new SafetensorsFormatException(weights.FileOf(aName).Path, aName, $"shape {aInfo.ShapeText} does not fit {name} (expected [rank, {inFeatures}])");
            if (bInfo.Shape.Length != 2 || bInfo.Shape[0] != outFeatures || bInfo.Shape[1] != aInfo.Shape[0])
                throw new SafetensorsFormatException(weights.FileOf(bName).Path, bName, $"shape {bInfo.ShapeText} does not fit {name} and its lora_A (expected [{outFeatures}, {aInfo.Shape[0]}])");
            owned.Add(aName);
            owned.Add(bName);
            a.Add(weights.Load(aName, dtype));
            b.Add(weights.Load(bName, dtype));
            for (long r = 0; r < aInfo.Shape[0]; r++) columns.Add(s);
            ranks[s] = aInfo.Shape[0];
        }
        if (a.Count == 0) return null;
        return new LowRankExperts(torch.cat(a, 0).DetachFromDisposeScope(), torch.cat(b, 1).contiguous().DetachFromDisposeScope(),
            torch.tensor(columns.ToArray()).DetachFromDisposeScope(), ranks, evaluations);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var l in _linears.Values) l.Dispose();
        _linears.Clear();
        Router.Dispose();
    }
}
