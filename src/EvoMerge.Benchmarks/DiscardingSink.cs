using EvoMerge.Merging.Execution;
using TorchSharp;

namespace EvoMerge.Benchmarks;

/// <summary>Drops every merged tensor: isolates read + merge cost from writing.</summary>
internal sealed class DiscardingSink : IMergedTensorSink
{
    public void Accept(PlannedTensor tensor, torch.Tensor merged)
    {
    }

    public void Complete()
    {
    }
}
