using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Inference;

/// <summary>
/// Phi-3's fused projections split as HF's Phi3Attention and Phi3MLP split their outputs: <c>qkv_proj</c> rows are
/// q (heads·head_dim), then k and v (kv_heads·head_dim each); <c>gate_up_proj</c> rows are gate, then up
/// (<c>chunk(2)</c>). The parts are row views of the fused tensors, so merged values written into those change them.
/// </summary>
internal static class FusedProjections
{
    /// <summary>Layer <paramref name="layer"/> of a Phi-3 model, with views of its fused tensors.</summary>
    public static DecoderLayerWeights Of(DecoderWeights weights, int layer)
    {
        var config = weights.Config;
        string Name(string local) => DecoderLayout.LayerName("model.layers.{i}." + local, layer);
        var qkv = weights[Name("self_attn.qkv_proj.weight")];
        var gateUp = weights[Name("mlp.gate_up_proj.weight")];
        long q = (long)config.NumAttentionHeads * config.HeadDim, kv = (long)config.NumKeyValueHeads * config.HeadDim, intermediate = config.IntermediateSize;
        torch.Tensor[] views =
        [
            qkv.narrow(0, 0, q).DetachFromDisposeScope(),
            qkv.narrow(0, q, kv).DetachFromDisposeScope(),
            qkv.narrow(0, q + kv, kv).DetachFromDisposeScope(),
            gateUp.narrow(0, 0, intermediate).DetachFromDisposeScope(),
            gateUp.narrow(0, intermediate, intermediate).DetachFromDisposeScope(),
        ];
        return new DecoderLayerWeights(
            weights[Name("input_layernorm.weight")], views[0], null, views[1], null, views[2], null, null, null,
            weights[Name("self_attn.o_proj.weight")], weights[Name("post_attention_layernorm.weight")],
            views[3], views[4], weights[Name("mlp.down_proj.weight")])
        {
            AttentionInputNames = [Name("self_attn.qkv_proj.weight")],
            MlpInputNames = [Name("mlp.gate_up_proj.weight")],
            Views = views,
        };
    }
}
