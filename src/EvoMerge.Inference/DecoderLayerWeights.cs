using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Inference;

/// <summary>
/// The tensors of one transformer layer, resolved once from <see cref="DecoderWeights"/> by HF name. They are the
/// same tensor objects as in the name map, or views of them (Phi-3's fused projections, see
/// <see cref="FusedProjections"/>), so writing into the map's tensors changes the layer. Mixtral's layers have a
/// <see cref="SparseMoe"/> block instead of the gate/up/down MLP. Gemma 2 and 3 layers have pre/post feed-forward
/// norms, and their post_attention_layernorm normalises the attention output instead.
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
    torch.Tensor? GateProjection,
    torch.Tensor? UpProjection,
    torch.Tensor? DownProjection)
{
    /// <summary>Gemma 2/3's norm of the MLP input (then <see cref="PostAttentionNorm"/> normalises the attention output).</summary>
    public torch.Tensor? PreFeedForwardNorm { get; init; }

    /// <summary>Gemma 2/3's norm of the MLP output.</summary>
    public torch.Tensor? PostFeedForwardNorm { get; init; }

    /// <summary>Mixtral's routed experts (then the gate/up/down projections are null).</summary>
    public SparseMoeBlock? SparseMoe { get; init; }

    /// <summary>Weight names of the linear layers fed the attention input (q/k/v, or Phi-3's qkv_proj).</summary>
    public IReadOnlyList<string> AttentionInputNames { get; init; } = [];

    /// <summary>Weight names of the linear layers fed the MLP input (gate/up, Phi-3's gate_up_proj, Mixtral's router).</summary>
    public IReadOnlyList<string> MlpInputNames { get; init; } = [];

    /// <summary>Views this record made of fused tensors (disposed with the model).</summary>
    public IReadOnlyList<torch.Tensor> Views { get; init; } = [];

    /// <summary>Picks layer <paramref name="layer"/>'s tensors out of the name map.</summary>
    public static DecoderLayerWeights Of(DecoderWeights weights, int layer)
    {
        if (weights.Config.ModelType == "phi3") return FusedProjections.Of(weights, layer);
        string Name(string local) => DecoderLayout.LayerName("model.layers.{i}." + local, layer);
        torch.Tensor Required(string local) => weights[Name(local)];
        torch.Tensor? Optional(string local) => weights.Tensors.GetValueOrDefault(Name(local));
        bool moe = weights.Config.ModelType == "mixtral";
        var sparse = moe ? SparseMoeBlock.Of(weights, layer) : null;
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
            moe ? null : Required("mlp.gate_proj.weight"),
            moe ? null : Required("mlp.up_proj.weight"),
            moe ? null : Required("mlp.down_proj.weight"))
        {
            SparseMoe = sparse,
            AttentionInputNames = [Name("self_attn.q_proj.weight"), Name("self_attn.k_proj.weight"), Name("self_attn.v_proj.weight")],
            MlpInputNames = sparse is null ? [Name("mlp.gate_proj.weight"), Name("mlp.up_proj.weight")] : [sparse.RouterName],
            PreFeedForwardNorm = Optional("pre_feedforward_layernorm.weight"),
            PostFeedForwardNorm = Optional("post_feedforward_layernorm.weight"),
        };
    }
}
