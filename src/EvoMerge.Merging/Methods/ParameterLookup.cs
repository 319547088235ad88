namespace EvoMerge.Merging.Methods;

/// <summary>
/// Reads resolved parameter values for a method; a value the resolver did not supply is a
/// <see cref="MergeException"/> naming the tensor (and the model, for per-model parameters).
/// </summary>
internal static class ParameterLookup
{
    /// <summary>A global numeric parameter.</summary>
    public static double Global(MergeContext context, string name) =>
        context.Global.Values.TryGetValue(name, out double value)
            ? value
            : throw MergeException.ForTensor(context.TensorName, $"global parameter '{name}' has no value");

    /// <summary>A global boolean parameter (non-zero is true).</summary>
    public static bool GlobalFlag(MergeContext context, string name) => Global(context, name) != 0.0;

    /// <summary>A per-model numeric parameter of one input.</summary>
    public static double PerModel(MergeContext context, MergeInput input, string name) =>
        input.Parameters.Values.TryGetValue(name, out double value)
            ? value
            : throw MergeException.ForTensor(context.TensorName, $"parameter '{name}' has no value for model '{input.Model}'");
}
