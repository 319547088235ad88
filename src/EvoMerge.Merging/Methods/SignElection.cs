using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// The sign election of TIES (mergekit's <c>get_mask</c>): an elected sign per element, then per model a mask of the
/// elements whose sign agrees with it. An element that is exactly 0 never agrees.
/// </summary>
internal static class SignElection
{
    /// <summary>
    /// True where the elected sign is + (also on ties): Σ deltas ≥ 0 for <see cref="SignConsensus.Sum"/>, Σ sign(delta)
    /// ≥ 0 for <see cref="SignConsensus.Count"/>.
    /// </summary>
    public static torch.Tensor ElectPositive(IReadOnlyList<torch.Tensor> deltas, SignConsensus consensus)
    {
        using var scope = torch.NewDisposeScope();
        var dtype = deltas[0].dtype;
        var votes = consensus switch
        {
            SignConsensus.Sum => StackSum.Of(deltas, dtype),
            SignConsensus.Count => StackSum.Of(deltas.Select(d => d.sign()), dtype),
            _ => throw new ArgumentOutOfRangeException(nameof(consensus), consensus, "no sign election for this consensus"),
        };
        return votes.ge(0).MoveToOuterDisposeScope();
    }

    /// <summary>True where <paramref name="delta"/> has the elected sign (strictly positive or strictly negative).</summary>
    public static torch.Tensor Agrees(torch.Tensor delta, torch.Tensor electedPositive)
    {
        using var scope = torch.NewDisposeScope();
        return torch.where(electedPositive, delta.gt(0), delta.lt(0)).MoveToOuterDisposeScope();
    }
}
