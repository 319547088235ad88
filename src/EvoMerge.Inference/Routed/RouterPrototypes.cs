using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Inference.Routed;

/// <summary>
/// The prototype router's prototypes: for each expert, the mean over its proxy prompts of each prompt's mean
/// residual-stream state entering the router layer, computed by the backbone (which is what the routed model
/// computes up to that layer: experts act only from it on). Each prompt runs alone, so there is no padding.
/// </summary>
public static class RouterPrototypes
{
    /// <summary>Prototypes <c>[experts, hidden]</c> fp32 (the caller disposes) from token-id prompts per expert, at least one each.</summary>
    public static torch.Tensor Collect(DecoderModel backbone, int layer, IReadOnlyList<IReadOnlyList<IReadOnlyList<int>>> promptsPerExpert)
    {
        if (layer < 0 || layer >= backbone.Config.NumHiddenLayers)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"router layer must be 0 … {backbone.Config.NumHiddenLayers - 1}");
        if (promptsPerExpert.Count == 0) throw new ArgumentException("router prototypes need at least one expert");
        using var inference = torch.inference_mode();
        var rows = new List<torch.Tensor>();
        using var outer = torch.NewDisposeScope();
        for (int s = 0; s < promptsPerExpert.Count; s++)
        {
            var prompts = promptsPerExpert[s];
            if (prompts.Count == 0 || prompts.Any(p => p.Count == 0)) throw new ArgumentException($"expert {s}: proxy prompts must be non-empty token lists, at least one");
            var sum = torch.zeros(backbone.Config.HiddenSize, torch.ScalarType.Float64);
            foreach (var prompt in prompts)
            {
                using var scope = torch.NewDisposeScope();
                var ids = torch.tensor(prompt.Select(t => (long)t).ToArray()).unsqueeze(0);
                backbone.RequireTokenIds(ids);
                var states = backbone.ResidualStreamEntering(layer, ids);
                sum.add_(states[0].to_type(torch.ScalarType.Float64).mean([0]), ScalarConstants.One);
            }
            using var count = ((double)prompts.Count).ToScalar();
            rows.Add(sum.div(count));
        }
        return torch.stack(rows).to_type(torch.ScalarType.Float32).clone().MoveToOuterDisposeScope();
    }
}
