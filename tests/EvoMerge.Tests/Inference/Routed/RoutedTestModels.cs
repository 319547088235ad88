using EvoMerge.Inference.Routed;
using EvoMerge.Merging.Routed;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Routed;
using TorchSharp;

namespace EvoMerge.Tests.Inference.Routed;

/// <summary>
/// Two tiny llama "sources" that share a random base's embedding, norms and head and differ from it in every
/// decoder-layer linear weight (each its own random change), their mean as the static backbone, and routed models
/// built from them with chosen factors and prototypes. Sources, backbone and every expected model are ordinary
/// model directories read by the normal loader.
/// </summary>
internal sealed class RoutedTestModels : IDisposable
{
    public static readonly TinyDecoderSpec Spec = new() { Layers = 2, HiddenSize = 32, IntermediateSize = 48, Heads = 4, KeyValueHeads = 2, VocabSize = 64 };

    private readonly TempDirectory _root = new("evomerge-routed-test");

    public RoutedTestModels()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(41);
        var baseWeights = TinyDecoderWriter.RandomWeights(Spec, 5);
        using var projectionScale = 8f.ToScalar();
        using var changeScale = 0.08f.ToScalar();
        var base8 = baseWeights.Select(w => (w.Name, IsLinear(w.Name) ? w.Tensor.mul(projectionScale) : w.Tensor)).ToList();
        Sources = [Combine("source0"), Combine("source1")];
        var sources = new List<List<(string Name, torch.Tensor Tensor)>>();
        foreach (string dir in Sources)
        {
            var weights = base8.Select(w => (w.Name, IsLinear(w.Name) ? w.Item2.add(torch.randn(w.Item2.shape, generator: generator).mul(changeScale)) : w.Item2)).ToList();
            TinyDecoderWriter.Write(dir, Spec, weights);
            sources.Add(weights);
        }
        using var half = 0.5.ToScalar();
        Backbone = Combine("backbone");
        TinyDecoderWriter.Write(Backbone, Spec, sources[0].Select((w, i) => (w.Name, w.Tensor.add(sources[1][i].Tensor).mul(half))).ToList());
    }

    /// <summary>The two source model directories.</summary>
    public IReadOnlyList<string> Sources { get; }

    /// <summary>The backbone model directory (the sources' mean).</summary>
    public string Backbone { get; }

    public string Combine(params string[] parts) => _root.Combine(parts);

    public static bool IsLinear(string name) => RoutedExperts.LinearNames.Any(l => name.EndsWith(l, StringComparison.Ordinal)) && name.StartsWith("model.layers.", StringComparison.Ordinal);

    public static int LayerOf(string name) => int.Parse(name.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every expert's factors of every linear weight in layers ≥ <paramref name="routerLayer"/> at <paramref name="rank"/>.</summary>
    public List<RoutedModelWriter.Factor> Factors(int rank, int routerLayer)
    {
        var factors = new List<RoutedModelWriter.Factor>();
        using var backbone = ModelDirectory.Open(Backbone);
        for (int s = 0; s < Sources.Count; s++)
        {
            using var source = ModelDirectory.Open(Sources[s]);
            foreach (string name in backbone.Weights.Names.Where(n => IsLinear(n) && LayerOf(n) >= routerLayer))
            {
                using var scope = torch.NewDisposeScope();
                var pair = ResidualFactors.Of(source.Weights.Load(name), backbone.Weights.Load(name), rank, null);
                if (pair is { } p) factors.Add(new RoutedModelWriter.Factor(name, s, p.A.MoveToOuterDisposeScope(), p.B.MoveToOuterDisposeScope()));
            }
        }
        return factors;
    }

    /// <summary>Writes a routed model over the backbone with <paramref name="factors"/> and <paramref name="prototypes"/>.</summary>
    public string WriteRouted(string name, IReadOnlyList<RoutedModelWriter.Factor> factors, torch.Tensor prototypes, RoutedExpertsConfig block)
    {
        string directory = Combine(name);
        using var backbone = ModelDirectory.Open(Backbone);
        using var scope = torch.NewDisposeScope();
        var tensors = backbone.Weights.Names.Select(n => (n, backbone.Weights.Load(n))).ToList();
        RoutedModelWriter.Write(directory, backbone.Config.Raw, tensors, factors, prototypes, block);
        return directory;
    }

    /// <summary>Prototypes that make every input's nearest prototype expert <paramref name="expert"/>'s: it at the origin, the others 10⁴ away on the diagonal.</summary>
    public static torch.Tensor PickingPrototypes(int experts, int expert)
    {
        var prototypes = torch.full(experts, Spec.HiddenSize, 1e4f);
        prototypes[expert].zero_();
        return prototypes;
    }

    /// <summary>The backbone with expert <paramref name="expert"/>'s B·A added to each factored weight, written as an ordinary model.</summary>
    public string WriteStatic(string name, IReadOnlyList<RoutedModelWriter.Factor> factors, int expert)
    {
        string directory = Combine(name);
        using var backbone = ModelDirectory.Open(Backbone);
        using var scope = torch.NewDisposeScope();
        var tensors = backbone.Weights.Names.Select(n =>
        {
            var t = backbone.Weights.Load(n).to_type(torch.ScalarType.Float64);
            foreach (var f in factors.Where(f => f.WeightName == n && f.Expert == expert))
                t = t.add(f.B.to_type(torch.ScalarType.Float64).matmul(f.A.to_type(torch.ScalarType.Float64)));
            return (n, t.to_type(torch.ScalarType.Float32));
        }).ToList();
        TinyDecoderWriter.Write(directory, Spec, tensors);
        return directory;
    }

    public void Dispose() => _root.Dispose();
}
