namespace EvoMerge.Merging;

/// <summary>
/// A merge method whose result for one tensor also depends on the other layers (esm's inter-layer scaling). Before
/// any tensor is merged, the caller computes <see cref="TensorStatistic"/> for every tensor of the merge (a pre-pass
/// over the inputs) and hands the table to every merge as <see cref="MergeContext.LayerStatistics"/>.
/// </summary>
public interface IInterLayerMergeMethod : IMergeMethod
{
    /// <summary>
    /// The statistic of one tensor from its inputs (the context has no <see cref="MergeContext.LayerStatistics"/> yet);
    /// null when the method does not scale this tensor across layers.
    /// </summary>
    double? TensorStatistic(MergeContext context);
}
