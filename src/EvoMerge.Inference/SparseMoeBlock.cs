using System.Globalization;
using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace EvoMerge.Inference;

/// <summary>
/// Mixtral's <c>block_sparse_moe</c> feed-forward, as HF's <c>MixtralSparseMoeBlock</c>: router logits
/// <c>gate(x)</c> → softmax over all experts in fp32 → the top <c>num_experts_per_tok</c> → renormalised to sum 1 →
/// cast to the model dtype; each expert E runs w2(silu(w1 x) · w3 x) on the tokens routed to it, scaled by its routing
/// weight, and the results are summed per token. The tensors are the model's own (writes into the name map count).
/// </summary>
internal sealed class SparseMoeBlock
{
    private readonly string _prefix;
    private readonly torch.Tensor _router;
    private readonly (torch.Tensor W1, torch.Tensor W2, torch.Tensor W3)[] _experts;
    private readonly int _topK;

    private SparseMoeBlock(string prefix, torch.Tensor router, (torch.Tensor, torch.Tensor, torch.Tensor)[] experts, int topK)
    {
        _prefix = prefix;
        _router = router;
        _experts = experts;
        _topK = topK;
    }

    /// <summary>Weight name of the router (the input every token's hidden state feeds).</summary>
    public string RouterName => _prefix + "gate.weight";

    /// <summary>Layer <paramref name="layer"/>'s block from the name map.</summary>
    public static SparseMoeBlock Of(DecoderWeights weights, int layer)
    {
        string prefix = DecoderLayout.LayerName("model.layers.{i}.block_sparse_moe.", layer);
        var experts = Enumerable.Range(0, weights.Layout.ExpertCount)
            .Select(e => (weights[ExpertName(prefix, e, "w1")], weights[ExpertName(prefix, e, "w2")], weights[ExpertName(prefix, e, "w3")]))
            .ToArray();
        return new SparseMoeBlock(prefix, weights[prefix + "gate.weight"], experts, TopKOf(weights.Config, weights.ConfigPath));
    }

    /// <summary><c>num_experts_per_tok</c> (MixtralConfig's default 2), checked against <c>num_local_experts</c>.</summary>
    public static int TopKOf(ModelConfig config, string configPath)
    {
        int experts = config.Raw["num_local_experts"] is JsonValue e && e.TryGetValue(out int n) ? n : 8;
        var node = config.Raw["num_experts_per_tok"];
        if (node is null) return Math.Min(2, experts);
        if (node is JsonValue v && v.TryGetValue(out int k) && k >= 1 && k <= experts) return k;
        throw new ModelConfigException(configPath, "num_experts_per_tok",
            string.Create(CultureInfo.InvariantCulture, $"must be an integer from 1 to num_local_experts ({experts}) (got {node.ToJsonString()})"));
    }

    /// <summary>
    /// The block's output for <c>[B, T, hidden]</c>. <paramref name="linearInputs"/>, when given, sees each expert's
    /// w1/w3 input (the tokens routed to it, <c>[n, hidden]</c>) and its w2 input; experts no token reached are not reported.
    /// </summary>
    public torch.Tensor Forward(torch.Tensor x, Action<IReadOnlyList<string>, torch.Tensor>? linearInputs)
    {
        var flat = x.reshape(-1, x.shape[^1]);
        var probabilities = linear(flat, _router).softmax(1, torch.ScalarType.Float32);
        var (weights, selected) = probabilities.topk(_topK, dim: -1);
        weights = weights.div(weights.sum(-1, keepdim: true)).to(x.dtype);
        var output = torch.zeros_like(flat);
        for (int e = 0; e < _experts.Length; e++)
        {
            using var expertScope = torch.NewDisposeScope();
            using var expert = e.ToScalar();
            var routed = selected.eq(expert).nonzero();
            if (routed.shape[0] == 0) continue;
            var tokens = routed.select(1, 0);
            var input = flat.index_select(0, tokens);
            var (w1, w2, w3) = _experts[e];
            linearInputs?.Invoke([ExpertName(_prefix, e, "w1"), ExpertName(_prefix, e, "w3")], input);
            var hidden = linear(input, w1).silu_().mul_(linear(input, w3));
            linearInputs?.Invoke([ExpertName(_prefix, e, "w2")], hidden);
            using var topK = _topK.ToScalar();
            var scale = weights.reshape(-1).index_select(0, tokens.mul(topK).add(routed.select(1, 1), ScalarConstants.One)).unsqueeze(1);
            output.index_add_(0, tokens, linear(hidden, w2).mul_(scale), ScalarConstants.One);
        }
        return output.view(x.shape);
    }

    private static string ExpertName(string prefix, int expert, string matrix) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}experts.{expert}.{matrix}.weight");
}
