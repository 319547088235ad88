using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Inference;

/// <summary>
/// Root-mean-square layer norm exactly as HF's <c>LlamaRMSNorm</c>: the statistics are computed in fp32, the
/// normalised value is cast back to the input dtype and then multiplied by the weight.
/// </summary>
public static class RmsNorm
{
    /// <summary>Normalises <paramref name="x"/> over its last dimension and scales by <paramref name="weight"/>.</summary>
    public static torch.Tensor Apply(torch.Tensor x, torch.Tensor weight, double epsilon)
    {
        var inputType = x.dtype;
        var h = x.to(torch.ScalarType.Float32);
        var variance = h.pow(ScalarConstants.Two).mean([-1], keepdim: true);
        using var eps = epsilon.ToScalar();
        h = h * variance.add(eps, ScalarConstants.One).rsqrt();
        return weight * h.to(inputType);
    }
}
