using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// A random drop whose keep decision for each element comes from <see cref="CounterRandom"/> (DARE, DELLA), so the
/// task-arithmetic engine can build the mask straight from a model's and the base's float32 values, without storing
/// the task vector, and get the mask <see cref="ITaskVectorSparsifier.KeepMask"/> returns for the same task vector.
/// </summary>
internal interface IElementDropSparsifier : ITaskVectorSparsifier
{
    /// <summary>
    /// The length of the contiguous rows the drop works on for a tensor of <paramref name="shape"/> (the element count
    /// when it does not look at rows), or null when its rows are not contiguous in a row-major tensor.
    /// </summary>
    long? RowLength(long[] shape);

    /// <summary>
    /// The flat boolean keep-mask (CPU, <c>source.Count</c> elements) of the task vector <paramref name="source"/> laid
    /// out in rows of <paramref name="rowLength"/>, or null to keep everything (density ≥ 1). Checks the parameters as
    /// <see cref="ITaskVectorSparsifier.KeepMask"/> does.
    /// </summary>
    torch.Tensor? KeepMask(TaskVectorMagnitudes.Source source, long rowLength, MergeInput input, MergeContext context);

    /// <summary>
    /// What the drop keeps of the task vector <paramref name="source"/> for the fused pass: nothing dropped (no mask, no
    /// draws), <see cref="KeepMask(TaskVectorMagnitudes.Source, long, MergeInput, MergeContext)"/> packed one bit per
    /// element (<see cref="KeepBits"/>), or draws to recompute (<see cref="CounterDrawKeep"/>, no memory held); with
    /// <paramref name="norms"/>, the L1 norms of <see cref="MaskedL1Norms.Of"/> for that mask (a drop may take them in
    /// the same pass; the numbers are the same).
    /// </summary>
    (torch.Tensor? Bits, CounterDrawKeep? Draws, (double Whole, double Kept)? Norms) Keep(TaskVectorMagnitudes.Source source, long rowLength,
        MergeInput input, MergeContext context, bool norms)
    {
        using var mask = KeepMask(source, rowLength, input, context);
        if (mask is null)
            return (null, null, null);
        var bits = KeepBits.FromBytes(mask, source.Count);
        return (bits, null, norms ? MaskedL1Norms.OfBits(source, MaskedL1Norms.Address(bits)) : null);
    }
}
