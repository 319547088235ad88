using EvoMerge.Inference;
using EvoMerge.Inference.Routed;
using EvoMerge.Merging.Recipes;
using EvoMerge.Merging.Routed;
using EvoMerge.Search.Proxy;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Routed;
using TorchSharp;

namespace EvoMerge.Search.Routed;

/// <summary>
/// Turns a merged backbone directory into the routed-experts model of a <see cref="RoutedMergeRecipe"/>, in place:
/// the router's prototypes from each expert's proxy prompts run through the backbone (<see cref="RouterPrototypes"/>),
/// each expert's factors of the backbone's routed linear weights (<see cref="ResidualFactors"/>), then the directory's
/// weights and config.json rewritten (<see cref="RoutedModelWriter"/>; tokenizer files stay). Holds the backbone's
/// tensors in memory while rewriting.
/// </summary>
public static class RoutedModelBuilder
{
    /// <summary>Builds the routed model in <paramref name="directory"/>, which holds the merged backbone.</summary>
    public static void Build(RoutedMergeRecipe recipe, string directory, long maxShardBytes = SafetensorsWriter.DefaultMaxShardBytes) =>
        Build(directory, recipe.Experts, recipe.ProxyTasks, recipe.PromptCount, recipe.Block, maxShardBytes);

    /// <summary>
    /// Builds the routed model in <paramref name="directory"/>, which holds the merged backbone: one expert per
    /// <paramref name="experts"/> entry, its prototype from the first <paramref name="promptCount"/> prompts of the
    /// eval task <paramref name="proxyTasks"/>[s], cut and routed as <paramref name="block"/> says.
    /// </summary>
    public static void Build(string directory, IReadOnlyList<ModelReference> experts, IReadOnlyList<string> proxyTasks, int promptCount,
        RoutedExpertsConfig block, long maxShardBytes = SafetensorsWriter.DefaultMaxShardBytes)
    {
        if (experts.Count != proxyTasks.Count) throw new ArgumentException($"{experts.Count} experts need as many proxy tasks (got {proxyTasks.Count})");
        using var scope = torch.NewDisposeScope();
        torch.Tensor prototypes;
        using (var prompts = new TaskProxyActivations(directory, new Dictionary<string, string>(), promptCount))
        using (var backboneDirectory = ModelDirectory.Open(directory))
        using (var backbone = DecoderModel.Load(backboneDirectory))
        {
            if (block.RouterLayer >= backbone.Config.NumHiddenLayers)
                throw new ArgumentException($"routed.router.layer {block.RouterLayer} is outside the backbone's layers (0 … {backbone.Config.NumHiddenLayers - 1})");
            prototypes = RouterPrototypes.Collect(backbone, block.RouterLayer, proxyTasks.Select(prompts.Prompts).ToList());
        }
        System.Text.Json.Nodes.JsonObject config;
        var tensors = new List<(string Name, torch.Tensor Tensor)>();
        var factors = new List<RoutedModelWriter.Factor>();
        using (var backbone = ModelDirectory.Open(directory))
        {
            config = backbone.Config.Raw;
            foreach (string name in backbone.Weights.Names) tensors.Add((name, backbone.Weights.Load(name)));
            var routed = Enumerable.Range(block.RouterLayer, backbone.Config.NumHiddenLayers - block.RouterLayer)
                .SelectMany(layer => RoutedExperts.LinearNames.Select(local => DecoderLayout.LayerName("model.layers.{i}." + local, layer)))
                .ToList();
            for (int s = 0; s < experts.Count; s++)
            {
                var expert = experts[s];
                using var source = ModelDirectory.Open(expert.Path, expert.Adapter);
                foreach (string name in routed)
                {
                    if (!backbone.Weights.Contains(name)) throw new SafetensorsFormatException(directory, name, "missing from the merged backbone (routed experts need its q/k/v/o and gate/up/down projection weights)");
                    if (!source.Weights.Contains(name)) throw new SafetensorsFormatException(source.Path, name, "missing from the expert's weights");
                    using var tensorScope = torch.NewDisposeScope();
                    var pair = ResidualFactors.Of(source.Weights.Load(name, torch.ScalarType.Float32), backbone.Weights.Load(name, torch.ScalarType.Float32), block.Rank, block.Energy);
                    if (pair is { } p) factors.Add(new RoutedModelWriter.Factor(name, s, p.A.MoveToOuterDisposeScope(), p.B.MoveToOuterDisposeScope()));
                }
            }
        }
        RoutedModelWriter.Write(directory, config, tensors, factors, prototypes, block, maxShardBytes);
    }
}
