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
    /// <inheritdoc/>
    public string Name => "linear";

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } =
    [
        MergeParameter.Flag("normalize", true),
        MergeParameter.Number("weight", ParameterScope.PerModel, required: true),
    ];

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Ignored;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, null);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        var inputs = context.AllInputs;
        if (inputs.Count == 0)
            throw MergeException.ForTensor(context.TensorName, "linear needs at least one model");
        var tensors = InputAlignment.ToCommonShape(context, inputs);
        var weights = inputs.Select(i => ParameterLookup.PerModel(context, i, "weight")).ToArray();
        var dtype = tensors[0].dtype;
        var weightTensors = weights.Select(w => torch.tensor(w, dtype)).ToArray();

        var sum = new StackSum(dtype);
        for (int i = 0; i < tensors.Length; i++)
            sum.AddOwned(tensors[i] * weightTensors[i]);
        var result = sum.Result();

        if (ParameterLookup.GlobalFlag(context, "normalize"))
        {
            if (Math.Abs(weights.Sum()) < 1e-8)
                throw MergeException.ForTensor(context.TensorName,
                    $"linear weights sum to 0 ({string.Join(", ", weights)}) and normalize is true; set normalize: false or change the weights");
            result = result / StackSum.Of(weightTensors, dtype);
        }
        return result.MoveToOuterDisposeScope();
    }
}
