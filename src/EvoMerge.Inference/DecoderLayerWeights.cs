using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Inference;

/// <summary>
/// The tensors of one transformer layer, resolved once from <see cref="DecoderWeights"/> by HF name. They are the
/// same tensor objects as in the name map, so writing into the map's tensors changes the layer. Gemma 2 and 3 layers
/// have pre/post feed-forward norms, and their post_attention_layernorm normalises the attention output instead.
/// </summary>
internal sealed record DecoderLayerWeights(
    torch.Tensor InputNorm,
    torch.Tensor QueryProjection,
    torch.Tensor? QueryBias,
    torch.Tensor KeyProjection,
    torch.Tensor? KeyBias,
    torch.Tensor ValueProjection,
    torch.Tensor? ValueBias,
    torch.Tensor? QueryNorm,
    torch.Tensor? KeyNorm,
    torch.Tensor OutputProjection,
    torch.Tensor PostAttentionNorm,
    torch.Tensor GateProjection,
    torch.Tensor UpProjection,
    torch.Tensor DownProjection,
    torch.Tensor? PreFeedForwardNorm,
    torch.Tensor? PostFeedForwardNorm)
{
    /// <summary>Picks layer <paramref name="layer"/>'s tensors out of the name map.</summary>
    public static DecoderLayerWeights Of(DecoderWeights weights, int layer)
    {
        torch.Tensor Required(string local) => weights[DecoderLayout.LayerName("model.layers.{i}." + local, layer)];
        torch.Tensor? Optional(string local) =>
            weights.Tensors.GetValueOrDefault(DecoderLayout.LayerName("model.layers.{i}." + local, layer));
        return new DecoderLayerWeights(
            Required("input_layernorm.weight"),
            Required("self_attn.q_proj.weight"),
            Optional("self_attn.q_proj.bias"),
            Required("self_attn.k_proj.weight"),
            Optional("self_attn.k_proj.bias"),
            Required("self_attn.v_proj.weight"),
            Optional("self_attn.v_proj.bias"),
            Optional("self_attn.q_norm.weight"),
            Optional("self_attn.k_norm.weight"),
            Required("self_attn.o_proj.weight"),
            Required("post_attention_layernorm.weight"),
            Required("mlp.gate_proj.weight"),
            Required("mlp.up_proj.weight"),
            Required("mlp.down_proj.weight"),
            Optional("pre_feedforward_layernorm.weight"),
            Optional("post_feedforward_layernorm.weight"));
    }
}
