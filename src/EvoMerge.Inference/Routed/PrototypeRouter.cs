using EvoMerge.Tensors;
using EvoMerge.Tensors.Routed;
using TorchSharp;

namespace EvoMerge.Inference.Routed;

/// <summary>
/// The training-free router of a routed-experts model: expert s's prototype p_s is a mean routing-layer state (see
/// <see cref="RouterPrototypes"/>); an input state h gets logits −‖h − p_s‖₂ / T (Euclidean distance, computed in
/// fp32), the <c>top_k</c> largest are kept and softmaxed, the rest are 0 (top_k = 1: the nearest prototype's expert
/// alone, weight 1). Sequence routing feeds the mean state of the tokens the caller marks (the context); token
/// routing feeds each token's own state. Pure tensor arithmetic, so deterministic.
/// </summary>
public sealed class PrototypeRouter : IDisposable
{
    private readonly torch.Tensor _prototypes;
    private readonly torch.Tensor _squaredNorms;

    /// <param name="prototypes"><c>[experts, hidden]</c> (copied to fp32).</param>
    /// <param name="temperature">The softmax temperature (positive).</param>
    /// <param name="topK">Experts kept per input, 1 … experts.</param>
    /// <param name="granularity">Sequence or token routing.</param>
    public PrototypeRouter(torch.Tensor prototypes, double temperature, int topK, RoutingGranularity granularity)
    {
        if (prototypes.dim() != 2) throw new ArgumentException($"router prototypes must be [experts, hidden] (got [{string.Join(", ", prototypes.shape)}])");
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "router temperature must be positive");
        if (topK < 1 || topK > prototypes.shape[0]) throw new ArgumentOutOfRangeException(nameof(topK), topK, $"top_k must be 1 … {prototypes.shape[0]}");
        using var scope = torch.NewDisposeScope();
        _prototypes = prototypes.to(torch.ScalarType.Float32).clone().DetachFromDisposeScope();
        _squaredNorms = _prototypes.mul(_prototypes).sum(-1).DetachFromDisposeScope();
        Temperature = temperature;
        TopK = topK;
        Granularity = granularity;
    }

    /// <summary>The number of experts.</summary>
    public int Experts => (int)_prototypes.shape[0];

    /// <summary>The softmax temperature.</summary>
    public double Temperature { get; }

    /// <summary>Experts mixed per input.</summary>
    public int TopK { get; }

    /// <summary>Sequence or token routing.</summary>
    public RoutingGranularity Granularity { get; }

    /// <summary>
    /// Routing weights for routing-layer states <paramref name="states"/> <c>[B, T, hidden]</c>: <c>[B, 1, experts]</c>
    /// for sequence routing (the mean over the tokens <paramref name="routeMask"/> <c>[B, T]</c> marks; a row with
    /// none marked routes its mean over all T), <c>[B, T, experts]</c> for token routing; fp32, in the caller's scope.
    /// </summary>
    public torch.Tensor Weights(torch.Tensor states, torch.Tensor routeMask)
    {
        var x = states.to(torch.ScalarType.Float32);
        if (Granularity == RoutingGranularity.Sequence)
        {
            var marked = routeMask.to(torch.ScalarType.Float32).unsqueeze(-1);
            var counts = marked.sum(1);
            var empty = counts.eq(ScalarConstants.Zero);
            var sums = x.mul(marked).sum(1);
            var means = torch.where(empty, x.mean([1]), sums.div(counts.clamp_min(ScalarConstants.One)));
            x = means.unsqueeze(1);
        }
        return Of(x);
    }

    /// <summary>Routing weights <c>[…, experts]</c> of states <c>[…, hidden]</c> (fp32).</summary>
    public torch.Tensor Of(torch.Tensor states)
    {
        var x = states.to(torch.ScalarType.Float32);
        using var two = (-2.0).ToScalar();
        var squared = x.mul(x).sum(-1, keepdim: true).add(_squaredNorms, ScalarConstants.One).add(x.matmul(_prototypes.t()), two);
        using var inverseTemperature = (-1.0 / Temperature).ToScalar();
        var logits = squared.clamp_min(ScalarConstants.Zero).sqrt().mul(inverseTemperature);
        if (TopK == Experts) return logits.softmax(-1);
        var (values, indices) = logits.topk(TopK, dim: -1);
        return torch.zeros_like(logits).scatter_(-1, indices, values.softmax(-1));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _prototypes.Dispose();
        _squaredNorms.Dispose();
    }
}
