using EvoMerge.Merging.Methods;
using TorchSharp;

namespace EvoMerge.Merging.Routed;

/// <summary>
/// A routed expert's low-rank factors of one linear weight: the truncated SVD of the residual Δ = source − backbone
/// (computed in float64), <c>B = U_r·diag(S_r)</c> <c>[out, r]</c> and <c>A = V_rᵀ</c> <c>[r, in]</c>, so B·A is the
/// best rank-r approximation of Δ. The rank is fixed (capped at min(out, in)) or the smallest r whose singular values
/// keep the <c>energy</c> fraction of Σσ²; singular values that are numerically zero are never kept.
/// </summary>
public static class ResidualFactors
{
    /// <summary>
    /// The factors (fp32, in the caller's dispose scope) of <paramref name="source"/> − <paramref name="backbone"/>
    /// (both <c>[out, in]</c>) at <paramref name="rank"/> or, when it is null, at the rank <paramref name="energy"/>
    /// picks; null when the residual is zero.
    /// </summary>
    public static (torch.Tensor A, torch.Tensor B)? Of(torch.Tensor source, torch.Tensor backbone, int? rank, double? energy)
    {
        if (rank is null == energy is null) throw new ArgumentException("give exactly one of rank and energy");
        if (rank is < 1) throw new ArgumentOutOfRangeException(nameof(rank), rank, "rank must be at least 1");
        if (energy is not null and (<= 0 or > 1)) throw new ArgumentOutOfRangeException(nameof(energy), energy, "energy must be in (0, 1]");
        if (source.dim() != 2 || !source.shape.SequenceEqual(backbone.shape))
            throw new ArgumentException($"source [{string.Join(", ", source.shape)}] and backbone [{string.Join(", ", backbone.shape)}] must be the same matrix shape");
        var residual = source.to_type(torch.ScalarType.Float64).sub(backbone.to_type(torch.ScalarType.Float64));
        var (u, s, vh) = SingularFactors.Svd(residual);
        double[] sigma = s.data<double>().ToArray();
        int kept = KeptRank(sigma, rank, energy);
        if (kept == 0) return null;
        var b = u.narrow(1, 0, kept).mul(s.narrow(0, 0, kept).unsqueeze(0)).to_type(torch.ScalarType.Float32);
        var a = vh.narrow(0, 0, kept).to_type(torch.ScalarType.Float32).contiguous();
        return (a, b.contiguous());
    }

    /// <summary>The rank kept of descending singular values <paramref name="sigma"/>: 0 when all are numerically zero.</summary>
    public static int KeptRank(IReadOnlyList<double> sigma, int? rank, double? energy)
    {
        if (sigma.Count == 0 || !(sigma[0] > 0)) return 0;
        double tolerance = sigma[0] * sigma.Count * 1e-12;
        int significant = sigma.Count(x => x > tolerance);
        if (rank is { } r) return Math.Min(r, significant);
        double total = sigma.Sum(x => x * x), target = energy!.Value * total, sum = 0;
        for (int i = 0; i < significant; i++)
        {
            sum += sigma[i] * sigma[i];
            if (sum >= target * (1 - 1e-12)) return i + 1;
        }
        return significant;
    }
}
