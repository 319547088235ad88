using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// passthrough: exactly one input per output tensor (frankenmerges, layer stacking), copied, times the per-model
/// <c>scale</c> when one is set.
/// </summary>
public sealed class PassthroughMerge : IMergeMethod
{
    /// <inheritdoc/>
    public string Name => MethodName;

    /// <summary>The recipe name, for callers that write passthrough recipes of their own (a search's layer ordering).</summary>
    public const string MethodName = "passthrough";

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } = [MergeParameter.Number("scale", ParameterScope.PerModel)];

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Ignored;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, 1);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context)
    {
        var inputs = context.AllInputs;
        if (inputs.Count != 1)
            throw MergeException.ForTensor(context.TensorName, $"passthrough takes exactly one model per tensor, got {inputs.Count}");
        var input = inputs[0];
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var result = input.Parameters.Values.TryGetValue("scale", out double scale)
            ? input.Tensor * scalars.Hold(scale)
            : input.Tensor.clone();
        return result.MoveToOuterDisposeScope();
    }
}
