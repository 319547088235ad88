using TorchSharp;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// Where merged tensors go: a model directory on disk (<see cref="ModelDirectorySink"/>), memory
/// (<see cref="InMemoryTensorSink"/>), or a model being evaluated by the search.
/// </summary>
public interface IMergedTensorSink
{
    /// <summary>
    /// Receives one merged tensor, in plan order, with the planned shape and output dtype. The tensor may be a view
    /// of a buffer the executor reuses and belongs to the executor's dispose scope: it is valid only during the
    /// call, so copy whatever must outlive it.
    /// </summary>
    void Accept(PlannedTensor tensor, torch.Tensor merged);

    /// <summary>Called once after the last tensor was accepted.</summary>
    void Complete();
}
