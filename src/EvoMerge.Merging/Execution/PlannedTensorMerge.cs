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
    /// be that very tensor. <paramref name="proxy"/> supplies proxy input statistics to data-aware methods (esm), looked
    /// up by each input's model path and the base's tensor name; <paramref name="statistics"/> is the pre-pass of an
    /// <see cref="IInterLayerMergeMethod"/> (<see cref="LayerStatisticsPass"/>); <paramref name="factors"/> the
    /// caller's cache of source-only intermediates (<see cref="MergeFactorCache"/>), if any. A tensor planned with a base
    /// and no other input (an optional tensor only the base, or only one input, holds) is that input as it is, as
    /// mergekit's tasks return a lone tensor.
    /// </summary>
    public static torch.Tensor Run(IMergeMethod method, PlannedTensor tensor, MergeInput? baseInput, IReadOnlyList<MergeInput> models, ulong seed,
        torch.Tensor? destination = null, IProxyActivations? proxy = null, LayerStatistics? statistics = null, MergeFactorCache? factors = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(models);
        if (baseInput is not null && models.Count == 0 && tensor.Models.Count == 0)
            return destination is not null && destination.shape.SequenceEqual(baseInput.Tensor.shape) && destination.dtype == baseInput.Tensor.dtype
                ? destination.copy_(baseInput.Tensor) : baseInput.Tensor.clone();

        using var generator = method.UsesRandomness ? new torch.Generator(TensorSeed.For(seed, tensor.Name)) : null;
        var merged = method.Merge(Context(tensor, baseInput, models, proxy, generator, destination, statistics, factors));
        if (!merged.shape.SequenceEqual(tensor.Shape))
            throw MergeException.ForTensor(tensor.Name, $"{method.Name} returned shape [{string.Join(", ", merged.shape)}], expected [{string.Join(", ", tensor.Shape)}]");
        return merged;
    }

    /// <summary>The context every caller hands the method for <paramref name="tensor"/>.</summary>
    internal static MergeContext Context(PlannedTensor tensor, MergeInput? baseInput, IReadOnlyList<MergeInput> models, IProxyActivations? proxy,
        torch.Generator? generator = null, torch.Tensor? destination = null, LayerStatistics? statistics = null, MergeFactorCache? factors = null) => new()
    {
        TensorName = tensor.Name,
        IsEmbedding = tensor.Role.IsEmbedding,
        Base = baseInput,
        Models = models,
        Global = tensor.Global,
        Random = generator,
        Destination = destination,
        ProxyInputs = proxy is null || tensor.Base is null ? null : input => ProxyInputsOf(proxy, tensor, models, input),
        LayerStatistics = statistics,
        Factors = factors,
    };

    private static torch.Tensor? ProxyInputsOf(IProxyActivations proxy, PlannedTensor tensor, IReadOnlyList<MergeInput> models, MergeInput input)
    {
        int index = -1;
        for (int i = 0; i < models.Count; i++)
            if (ReferenceEquals(models[i], input)) index = i;
        if (index < 0) throw MergeException.ForTensor(tensor.Name, $"proxy inputs asked for '{input.Model}', which is not one of the tensor's models");
        return proxy.InputSecondMoment(tensor.Models[index].Model.Path, tensor.Base!.TensorName);
    }
}
