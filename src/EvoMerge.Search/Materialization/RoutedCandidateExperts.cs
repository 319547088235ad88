using EvoMerge.Inference;
using EvoMerge.Inference.Routed;
using EvoMerge.Merging.Routed;
using EvoMerge.Search.Proxy;
using EvoMerge.Search.Routed;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Routed;
using TorchSharp;

namespace EvoMerge.Search.Materialization;

/// <summary>
/// The experts and router of a routed candidate, built in memory over its merged backbone (the candidate model's own
/// weights) with the computation <see cref="RoutedModelBuilder"/> runs on disk for <c>evomerge merge</c>: prototypes
/// from each expert's proxy prompts run through the backbone (<see cref="RouterPrototypes"/>), each source's
/// <see cref="ResidualFactors"/> of the routed linear weights against the backbone (sources read in fp32), the factors
/// cast to the backbone's dtype as the routed format stores them. Only the proxy prompts' token ids are kept between
/// candidates: the factors are SVDs of source − backbone and the prototypes the backbone's states, so both change
/// with every backbone (and the factors with the rank), and nothing else is cached.
/// </summary>
internal sealed class RoutedCandidateExperts
{
    private readonly string _baseModel;
    private readonly Dictionary<(string Task, int Count), IReadOnlyList<IReadOnlyList<int>>> _prompts = [];

    /// <param name="baseModel">The base model directory, whose tokenizer encodes the proxy prompts.</param>
    public RoutedCandidateExperts(string baseModel) => _baseModel = baseModel;

    /// <summary>
    /// The experts of <paramref name="recipe"/> over <paramref name="backbone"/> (holding the merged backbone, no
    /// experts); <paramref name="model"/> opens a source by path (the materialiser's own directories).
    /// </summary>
    public RoutedExperts Build(RoutedMergeRecipe recipe, DecoderModel backbone, Func<string, ModelDirectory> model)
    {
        var block = recipe.Block;
        int layers = backbone.Config.NumHiddenLayers;
        if (block.RouterLayer >= layers)
            throw new ArgumentException($"routed.router.layer {block.RouterLayer} is outside the backbone's layers (0 … {layers - 1})");
        using var scope = torch.NewDisposeScope();
        var prototypes = RouterPrototypes.Collect(backbone, block.RouterLayer, recipe.ProxyTasks.Select(t => Prompts(t, recipe.PromptCount)).ToList());
        var routed = Enumerable.Range(block.RouterLayer, layers - block.RouterLayer)
            .SelectMany(layer => RoutedExperts.LinearNames.Select(local => DecoderLayout.LayerName("model.layers.{i}." + local, layer)))
            .ToList();
        var factors = new List<RoutedModelWriter.Factor>();
        using (torch.inference_mode())
        {
            for (int s = 0; s < recipe.Experts.Count; s++)
            {
                var source = model(recipe.Experts[s].Path);
                foreach (string name in routed)
                {
                    if (!backbone.Parameters.TryGetValue(name, out var merged))
                        throw new ArgumentException($"the backbone has no {name} (routed experts need its q/k/v/o and gate/up/down projection weights)");
                    using var tensorScope = torch.NewDisposeScope();
                    var pair = ResidualFactors.Of(source.Weights.Load(name, torch.ScalarType.Float32), merged.to(torch.ScalarType.Float32), block.Rank, block.Energy);
                    if (pair is { } p) factors.Add(new RoutedModelWriter.Factor(name, s, p.A.MoveToOuterDisposeScope(), p.B.MoveToOuterDisposeScope()));
                }
            }
            return RoutedExperts.FromFactors(block, backbone.Config, factors, prototypes, backbone.ComputeDtype, backbone.ComputeDtype);
        }
    }

    /// <summary>The token ids of the first <paramref name="count"/> prompts of eval task <paramref name="task"/> (computed once).</summary>
    private IReadOnlyList<IReadOnlyList<int>> Prompts(string task, int count)
    {
        if (_prompts.TryGetValue((task, count), out var known)) return known;
        using var proxy = new TaskProxyActivations(_baseModel, new Dictionary<string, string>(), count);
        return _prompts[(task, count)] = proxy.Prompts(task);
    }
}
