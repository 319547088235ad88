using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// The sign election of TIES (mergekit's <c>get_mask</c>): an elected sign per element, then per model a mask of the
/// elements whose sign agrees with it. An element that is exactly 0 never agrees.
/// </summary>
internal static class SignElection
{
    /// <summary>
    /// The elected sign per element as +1 / −1 in the deltas' dtype, +1 on ties: the sign of Σ deltas for
    /// <see cref="SignConsensus.Sum"/>, of Σ sign(delta) for <see cref="SignConsensus.Count"/>.
    /// </summary>
    public static torch.Tensor ElectedSign(IReadOnlyList<torch.Tensor> deltas, SignConsensus consensus)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var dtype = deltas[0].dtype;
        var votes = consensus switch
        {
            SignConsensus.Sum => StackSum.Of(deltas, dtype),
            SignConsensus.Count => StackSum.Of(deltas.Select(d => d.sign()), dtype),
            _ => throw new ArgumentOutOfRangeException(nameof(consensus), consensus, "no sign election for this consensus"),
        };
        return votes.ge_(scalars.Hold(0.0)).mul_(scalars.Hold(2.0)).sub_(scalars.Hold(1.0)).MoveToOuterDisposeScope();
    }

    /// <summary>1 where <paramref name="delta"/> has the elected sign (non-zero and of that sign), 0 elsewhere, in the
    /// delta's dtype.</summary>
    public static torch.Tensor Agreement(torch.Tensor delta, torch.Tensor electedSign)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        return (delta * electedSign).gt_(scalars.Hold(0.0)).MoveToOuterDisposeScope();
    }
}
