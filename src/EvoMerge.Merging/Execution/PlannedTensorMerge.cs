using TorchSharp;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// The one step every merge of a planned tensor takes, whether its inputs come from disk (<see cref="MergeExecutor"/>)
/// or from memory (the search's candidates): a generator seeded from (seed, tensor name) for random methods, the
/// method call, and the check that the result has the planned shape. Sharing it keeps both paths bit-identical.
/// </summary>
public static class PlannedTensorMerge
{
    /// <summary>
    /// Merges <paramref name="tensor"/> from its loaded inputs; the result is in the compute dtype. A
    /// <paramref name="destination"/> is offered to the method (<see cref="MergeContext.Destination"/>); the result may
    /// be that very tensor.
    /// </summary>
    public static torch.Tensor Run(IMergeMethod method, PlannedTensor tensor, MergeInput? baseInput, IReadOnlyList<MergeInput> models, ulong seed,
        torch.Tensor? destination = null)
    {
        using var generator = method.UsesRandomness ? new torch.Generator(TensorSeed.For(seed, tensor.Name)) : null;
        var merged = method.Merge(new MergeContext
        {
            TensorName = tensor.Name,
            IsEmbedding = tensor.Role.IsEmbedding,
            Base = baseInput,
            Models = models,
            Global = tensor.Global,
            Random = generator,
            Destination = destination,
        });
        if (!merged.shape.SequenceEqual(tensor.Shape))
            throw MergeException.ForTensor(tensor.Name, $"{method.Name} returned shape [{string.Join(", ", merged.shape)}], expected [{string.Join(", ", tensor.Shape)}]");
        return merged;
    }
}
