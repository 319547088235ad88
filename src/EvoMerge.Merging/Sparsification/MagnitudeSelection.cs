using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// Exact top-k by magnitude without a full sort. Exactly k elements are kept; among equal magnitudes the lower flat
/// index counts as larger (what torch's CPU argsort was observed to do for mergekit's TIES trim). The k-th largest
/// magnitude comes from <c>kthvalue</c> (or a precomputed <see cref="MagnitudeCut"/>); everything above it is kept,
/// then the lowest-index elements equal to it until there are k.
/// </summary>
public static class MagnitudeSelection
{
    /// <summary>|x| flattened, in float32 (exact for every floating dtype up to float32).</summary>
    public static torch.Tensor Magnitudes(torch.Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return x.abs().to(torch.ScalarType.Float32).reshape(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Boolean mask (flat, like <paramref name="magnitudes"/>) of the k largest magnitudes.</summary>
    /// <param name="magnitudes">Flat float32 magnitudes (see <see cref="Magnitudes"/>).</param>
    /// <param name="k">How many to keep; ≤ 0 keeps none, ≥ numel keeps all.</param>
    /// <param name="cut">The cut for this k when already known (from a <see cref="MagnitudeOrder"/>).</param>
    public static torch.Tensor Largest(torch.Tensor magnitudes, long k, MagnitudeCut? cut = null)
    {
        using var scope = torch.NewDisposeScope();
        long n = magnitudes.numel();
        if (k <= 0)
            return torch.zeros(n, torch.ScalarType.Bool).MoveToOuterDisposeScope();
        if (k >= n)
            return torch.ones(n, torch.ScalarType.Bool).MoveToOuterDisposeScope();

        float threshold = cut?.Threshold ?? KthLargest(magnitudes, k);
        if (cut is { } known && known.Above + known.AtThreshold == k)
            return magnitudes.ge(threshold).MoveToOuterDisposeScope();
        if (cut is null)
        {
            var atLeast = magnitudes.ge(threshold);
            if (atLeast.sum().item<long>() == k)
                return atLeast.MoveToOuterDisposeScope();
        }

        var keep = magnitudes.gt(threshold);
        long above = cut?.Above ?? keep.sum().item<long>();
        var tied = magnitudes.eq(threshold).nonzero().reshape(-1).narrow(0, 0, k - above);
        keep.index_fill_(0, tied, true);
        return keep.MoveToOuterDisposeScope();
    }

    /// <summary>The k-th largest of flat magnitudes (1 ≤ k ≤ numel), by linear-time selection.</summary>
    public static float KthLargest(torch.Tensor magnitudes, long k)
    {
        using var scope = torch.NewDisposeScope();
        var (values, _) = magnitudes.kthvalue(magnitudes.numel() - k + 1, 0);
        return values.item<float>();
    }
}
