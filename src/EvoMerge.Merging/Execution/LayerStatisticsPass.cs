using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// The pre-pass of an <see cref="IInterLayerMergeMethod"/>: every planned tensor's inputs are loaded once and the
/// method's <see cref="IInterLayerMergeMethod.TensorStatistic"/> recorded, with the tensor's kind (its name inside
/// the layer for layer tensors, e.g. <c>mlp.up_proj.weight</c>; the full name otherwise). Both the file executor and
/// the search's in-memory materialiser run it, so a candidate and <c>evomerge merge</c> of its recipe agree; with a
/// <see cref="MergeFactorCache"/> the method keeps each merged update there for the pass that writes the tensor.
/// </summary>
public static class LayerStatisticsPass
{
    /// <summary>
    /// The statistics of <paramref name="tensors"/>, or null when <paramref name="method"/> needs none.
    /// <paramref name="load"/> gives a tensor's base input and model inputs (valid until the next call);
    /// <paramref name="factors"/> is the caller's cache of source-only intermediates, if any.
    /// </summary>
    public static LayerStatistics? Compute(IMergeMethod method, IEnumerable<PlannedTensor> tensors,
        Func<PlannedTensor, (MergeInput? Base, IReadOnlyList<MergeInput> Models)> load, IProxyActivations? proxy,
        MergeFactorCache? factors = null)
    {
        if (method is not IInterLayerMergeMethod interLayer) return null;
        var entries = new List<(string, string, double)>();
        // Last tensor first: a least-recently-used cache of the merged updates then still holds the first tensors,
        // which the writing pass (in plan order) asks for first. The table keeps plan order (the same kind means).
        foreach (var tensor in tensors.Reverse())
        {
            using var scope = torch.NewDisposeScope();
            var (baseInput, models) = load(tensor);
            if (interLayer.TensorStatistic(PlannedTensorMerge.Context(tensor, baseInput, models, proxy, factors: factors)) is double value)
                entries.Add((tensor.Name, KindOf(tensor), value));
        }
        entries.Reverse();
        return new LayerStatistics(entries);
    }

    private static string KindOf(PlannedTensor tensor) =>
        tensor.Role.Group == TensorGroup.Layer ? "layer:" + tensor.Role.LocalName : tensor.Name;
}
