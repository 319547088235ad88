using EvoMerge.Merging.Sparsification;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Search.Analysis;

/// <summary>
/// The per-tensor numbers of <c>evomerge analyze</c> (docs/analyze.md), computed in float64 on task vectors
/// δ = θ_model − θ_base: squared norms, dot products, sign conflicts, the energy TIES trimming keeps and the overlap
/// of top singular directions.
/// </summary>
public static class TaskVectorMeasures
{
    /// <summary>The densities at which the trimmed energy is reported: 0.1, 0.2, …, 0.9.</summary>
    public static IReadOnlyList<double> Densities { get; } = [.. Enumerable.Range(1, 9).Select(i => i / 10.0)];

    /// <summary>How many top singular directions the subspace overlap compares (fewer when the matrix is smaller).</summary>
    public const int SubspaceRank = 8;

    /// <summary>Σ a·b over all elements.</summary>
    public static double Dot(torch.Tensor a, torch.Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        return a.mul(b).sum().item<double>();
    }

    /// <summary>
    /// (conflicts, both nonzero): the elements where both task vectors are nonzero and their signs differ, and the
    /// elements where both are nonzero (the rate is their ratio).
    /// </summary>
    public static (long Conflicts, long BothNonzero) SignConflicts(torch.Tensor a, torch.Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        var product = a.sign().mul(b.sign());
        return (product.lt(ScalarConstants.Zero).sum().item<long>(), product.ne(ScalarConstants.Zero).sum().item<long>());
    }

    /// <summary>
    /// Σ δ² over the elements TIES trimming keeps at <paramref name="density"/> (the same rule as the ties method,
    /// <see cref="MagnitudeTrim.Mask"/>: the floor(density·numel) largest magnitudes of the whole tensor, at least one).
    /// </summary>
    public static double TrimmedEnergy(torch.Tensor delta, double density)
    {
        using var scope = torch.NewDisposeScope();
        var squares = delta.mul(delta);
        var mask = MagnitudeTrim.Mask(delta, density);
        return (mask is null ? squares : squares.masked_select(mask)).sum().item<double>();
    }

    /// <summary>
    /// The top-k left singular vectors of a 2-D task vector (k = min(<see cref="SubspaceRank"/>, rows, columns)) as a
    /// rows × k matrix (a copy: the decomposition's work space is freed here), computed once per model and tensor and
    /// compared pairwise by <see cref="SubspaceOverlap"/>. Null for tensors that are not matrices or are zero.
    /// </summary>
    public static torch.Tensor? TopLeftSingularVectors(torch.Tensor delta)
    {
        if (delta.dim() != 2) return null;
        using var scope = torch.NewDisposeScope();
        int k = (int)Math.Min(SubspaceRank, Math.Min(delta.shape[0], delta.shape[1]));
        var (u, s, _) = torch.linalg.svd(delta, fullMatrices: false);
        if (s[0].item<double>() == 0) return null;
        return u.narrow(1, 0, k).clone().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Subspace overlap of two task vectors from their <see cref="TopLeftSingularVectors"/> U_a, U_b (rows × k):
    /// ‖U_aᵀU_b‖²_F / k, in [0, 1]: 1 when the column spaces of the top directions coincide, about k/rows for random
    /// directions.
    /// </summary>
    public static double SubspaceOverlap(torch.Tensor ua, torch.Tensor ub)
    {
        using var scope = torch.NewDisposeScope();
        var cross = ua.t().matmul(ub);
        return cross.mul(cross).sum().item<double>() / ua.shape[1];
    }
}
