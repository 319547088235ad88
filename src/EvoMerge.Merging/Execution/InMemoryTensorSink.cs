using TorchSharp;

namespace EvoMerge.Merging.Execution;

/// <summary>Keeps a copy of every merged tensor by output name (tests, small models). Disposing frees them.</summary>
public sealed class InMemoryTensorSink : IMergedTensorSink, IDisposable
{
    private readonly Dictionary<string, torch.Tensor> _tensors = new(StringComparer.Ordinal);

    /// <summary>The merged tensors by output name.</summary>
    public IReadOnlyDictionary<string, torch.Tensor> Tensors => _tensors;

    /// <summary>True once the executor completed the sink.</summary>
    public bool Completed { get; private set; }

    /// <inheritdoc />
    public void Accept(PlannedTensor tensor, torch.Tensor merged) => _tensors[tensor.Name] = merged.clone().DetachFromDisposeScope();

    /// <inheritdoc />
    public void Complete() => Completed = true;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in _tensors.Values) tensor.Dispose();
        _tensors.Clear();
    }
}
