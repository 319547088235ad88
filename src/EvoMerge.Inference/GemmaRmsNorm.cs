using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Inference;

/// <summary>
/// Gemma's RMSNorm (HF <c>GemmaRMSNorm</c>, also Gemma 2 and Gemma 3): the weight is stored as an offset from one,
/// and unlike Llama the whole product x·rsqrt(mean(x²) + eps)·(1 + w) is computed in fp32 before the cast back.
/// </summary>
public static class GemmaRmsNorm
{
    /// <summary>Normalises <paramref name="x"/> over its last dimension and scales by 1 + <paramref name="weight"/>.</summary>
    public static torch.Tensor Apply(torch.Tensor x, torch.Tensor weight, double epsilon)
    {
        var h = x.to(torch.ScalarType.Float32);
        var variance = h.pow(ScalarConstants.Two).mean([-1], keepdim: true);
        using var eps = epsilon.ToScalar();
        var normalised = h * variance.add(eps, ScalarConstants.One).rsqrt();
        var scale = weight.to(torch.ScalarType.Float32).add(ScalarConstants.One, ScalarConstants.One);
        return (normalised * scale).to(x.dtype);
    }
}
