using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// linear: <c>Σ w_i·X_i</c> over the base model (when there is one, first) and the models, divided by <c>Σ w_i</c> when
/// <c>normalize</c> (default true). The base is just another input and needs its own weight. Weights are rounded to the
/// compute dtype and the sum is accumulated as torch sums a stack. Embeddings of different vocabulary sizes are cut to
/// the common rows and columns. Deviation: with <c>normalize</c>, weights summing to 0 (|Σ w_i| &lt; 1e-8) are a
/// <see cref="MergeException"/> naming the tensor (mergekit produces inf/NaN).
/// </summary>
public sealed class LinearMerge : IMergeMethod
{
    /// <summary>The recipe name, for callers that build linear recipes of their own (reference points).</summary>
    public const string MethodName = "linear";

    /// <inheritdoc/>
    public string Name => MethodName;

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } =
    [
        MergeParameter.Flag("normalize", true),
        MergeParameter.Number("weight", ParameterScope.PerModel, required: true).Searched(SharedSearchGenes.Weight),
    ];

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Ignored;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, null);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <summary>The sources alone (the search's base takes no part), at least two of them.</summary>
    public MethodSearchSupport Search { get; } = new(SearchInputs.SourcesOnly, MinSources: 2);

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        var inputs = context.AllInputs;
        if (inputs.Count == 0)
            throw MergeException.ForTensor(context.TensorName, "linear needs at least one model");
        var tensors = InputAlignment.ToCommonShape(context, inputs);
        var weights = inputs.Select(i => ParameterLookup.PerModel(context, i, "weight")).ToArray();
        bool normalize = ParameterLookup.GlobalFlag(context, "normalize");
        if (normalize && Math.Abs(weights.Sum()) < 1e-8)
            throw MergeException.ForTensor(context.TensorName,
                $"linear weights sum to 0 ({string.Join(", ", weights)}) and normalize is true; set normalize: false or change the weights");
        if (tensors.All(t => t.dtype == torch.ScalarType.Float32 && t.device_type == DeviceType.CPU))
        {
            var merged = MergeFloat32(context, tensors, weights, normalize);
            return ReferenceEquals(merged, context.Destination) ? merged : merged.MoveToOuterDisposeScope();
        }
        return MergeTensors(tensors, weights, normalize).MoveToOuterDisposeScope();
    }

    /// <summary>The tensor formulation, for every dtype (the reference the float32 pass matches bit for bit). Call inside a dispose scope.</summary>
    internal static torch.Tensor MergeTensors(torch.Tensor[] tensors, double[] weights, bool normalize)
    {
        var dtype = tensors[0].dtype;
        var weightTensors = weights.Select(w => torch.tensor(w, dtype)).ToArray();

        var sum = new StackSum(dtype);
        for (int i = 0; i < tensors.Length; i++)
            sum.AddOwned(tensors[i] * weightTensors[i]);
        var result = sum.Result();
        return normalize ? result / StackSum.Of(weightTensors, dtype) : result;
    }

    /// <summary>
    /// The float32 CPU path: one fused pass (<see cref="Float32WeightedSum"/>) writes the result into the context's
    /// destination when it fits, otherwise into a new tensor. Call inside a dispose scope.
    /// </summary>
    private static torch.Tensor MergeFloat32(MergeContext context, torch.Tensor[] tensors, double[] weights, bool normalize)
    {
        var inputs = tensors.Select(t => t.contiguous()).ToArray();
        var factors = weights.Select(w => (float)w).ToArray();
        float? divisor = null;
        if (normalize)
        {
            float total = factors[0];
            for (int i = 1; i < factors.Length; i++) total += factors[i];
            divisor = total;
        }
        var shape = inputs[0].shape;
        var output = context.Destination is { } d && d.dtype == torch.ScalarType.Float32 && d.device_type == DeviceType.CPU
            && d.is_contiguous() && d.shape.SequenceEqual(shape) && inputs.All(t => !SharesMemory(t, d))
            ? d
            : torch.empty(shape, torch.ScalarType.Float32);
        Float32WeightedSum.Write(inputs.Select(Address).ToArray(), factors, divisor, output.numel(), Address(output));
        return output;
    }

    private static bool SharesMemory(torch.Tensor a, torch.Tensor b) => a.numel() > 0 && b.numel() > 0 && Address(a) == Address(b);

    private static nint Address(torch.Tensor contiguous) => Sparsification.MaskedL1Norms.Address(contiguous);
}
