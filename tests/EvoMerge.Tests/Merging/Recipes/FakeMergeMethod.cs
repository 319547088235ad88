using EvoMerge.Merging;
using TorchSharp;

namespace EvoMerge.Tests.Merging.Recipes;

/// <summary>
/// A test double for planner and executor tests (the real methods live under Methods/): declares the given
/// parameters and rules, records every call, and returns base + Σ weight·model (weight defaults to 1), plus one
/// uniform draw when it uses randomness.
/// </summary>
internal sealed class FakeMergeMethod(string name, BaseModelRule baseModel, int minModels, int? maxModels, params MergeParameter[] parameters) : IMergeMethod
{
    public string Name => name;
    public IReadOnlyList<MergeParameter> Parameters => parameters;
    public BaseModelRule BaseModel => baseModel;
    public (int Min, int? Max) ModelCount => (minModels, maxModels);
    public bool UsesRandomness { get; init; }

    /// <summary>Every call: tensor name, base model name, model names, global values, per-model values and the draw.</summary>
    public List<(string Tensor, string? Base, string[] Models, ParameterValues Global, ParameterValues[] PerModel, double Draw)> Calls { get; } = [];

    public Func<string, IMergeMethod> Lookup => n => n == name ? this : throw new MergeException($"unknown merge_method '{n}' (known: {name})");

    public torch.Tensor Merge(MergeContext context)
    {
        var result = context.Base is { } b ? b.Tensor.clone() : torch.zeros_like(context.Models[0].Tensor);
        foreach (var model in context.Models) result.add_(model.Tensor, alpha: model.Parameters.Get("weight", 1.0));
        double draw = double.NaN;
        if (context.Random is { } generator) draw = torch.rand(1, generator: generator).item<float>();
        Calls.Add((context.TensorName, context.Base?.Model, context.Models.Select(m => m.Model).ToArray(), context.Global,
            context.Models.Select(m => m.Parameters).ToArray(), draw));
        return result;
    }

    /// <summary>linear-like: every model is an input with a required weight; normalize is a global flag.</summary>
    public static FakeMergeMethod Linear() => new("linear", BaseModelRule.Ignored, 1, null,
        MergeParameter.Number("weight", ParameterScope.PerModel, required: true), MergeParameter.Flag("normalize", true));

    /// <summary>ties-like: a base model, weight (required) and density (1.0) per model, lambda and normalize globally.</summary>
    public static FakeMergeMethod Ties() => new("ties", BaseModelRule.Required, 1, null,
        MergeParameter.Number("weight", ParameterScope.PerModel, required: true), MergeParameter.Number("density", ParameterScope.PerModel, 1.0),
        MergeParameter.Flag("normalize", true), MergeParameter.Flag("int8_mask", false), MergeParameter.Number("lambda", ParameterScope.Global, 1.0));

    /// <summary>slerp-like: a base model and exactly one other, global t (required).</summary>
    public static FakeMergeMethod Slerp() => new("slerp", BaseModelRule.Required, 1, 1, MergeParameter.Number("t", ParameterScope.Global, required: true));

    /// <summary>passthrough-like: exactly one model, optional per-model scale without default.</summary>
    public static FakeMergeMethod Passthrough() => new("passthrough", BaseModelRule.Ignored, 1, 1, MergeParameter.Number("scale", ParameterScope.PerModel));
}
