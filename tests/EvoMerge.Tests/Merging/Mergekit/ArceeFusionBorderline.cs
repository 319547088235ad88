using TorchSharp;

namespace EvoMerge.Tests.Merging.Mergekit;

/// <summary>
/// arcee_fusion's importance <c>|b − a|·KL(softmax(b) ‖ softmax(a))</c> is ill-conditioned in float32: the KL of two
/// near-equal rows is a sum of terms about 70 times larger than itself, so torch builds with different vectorised
/// <c>log</c>/<c>softmax</c> differ in its fourth significant digit and an element whose importance lies that close to
/// the threshold can take the other model's value. This recomputes the importance and threshold in float64, from the
/// inputs, and marks the elements where mergekit and EvoMerge took different models and the importance is within
/// 1e-3 (relative) of the threshold.
/// </summary>
internal static class ArceeFusionBorderline
{
    public static torch.Tensor Flipped(string recipe, string tensor, torch.Tensor mergekit, torch.Tensor evomerge)
    {
        var (baseName, otherName) = recipe switch
        {
            "basic-arcee_fusion" or "examples-arcee_fusion" => ("pico_a", "pico_b"),
            _ => throw new ArgumentException($"no arcee_fusion inputs known for {recipe}", nameof(recipe)),
        };
        var a = Load(baseName, tensor);
        var b = Load(otherName, tensor);
        var p = b.softmax(-1) + 1e-8;
        var q = a.softmax(-1) + 1e-8;
        var importance = (b - a).abs() * (p * (p / q).log()).sum(-1, keepdim: true);
        var sorted = importance.flatten().sort().Values;
        long n = sorted.numel();
        double At(double quantile) => sorted[(long)Math.Floor(quantile * (n - 1))].item<double>();
        double threshold = At(0.5) + 1.5 * (At(0.75) - At(0.25));
        var near = (importance - threshold).abs().le(1e-3 * threshold);
        var m = mergekit.to(torch.ScalarType.Float64);
        var e = evomerge.to(torch.ScalarType.Float64);
        // a + (b − a) rounds in float32, so "took b" is b within 1e-6.
        static torch.Tensor Near(torch.Tensor x, torch.Tensor y) => (x - y).abs().le(1e-6);
        var swapped = Near(m, a).logical_and(Near(e, b)).logical_or(Near(m, b).logical_and(Near(e, a)));
        return near.logical_and(swapped);
    }

    private static torch.Tensor Load(string model, string tensor)
    {
        using var weights = EvoMerge.Tensors.ModelWeights.Open(Path.Combine(MergekitCorpus.Directory, "models", model));
        return weights.Load(tensor, torch.ScalarType.Float64);
    }
}
