namespace EvoMerge.Tensors;

/// <summary>
/// Compares a source model's tensors with the base's from the safetensors headers alone (no tensor data is read):
/// every tensor the base's layout reads must exist in the source with the same shape and a dtype of the same kind
/// (floating point or not; float widths may differ, the merge converts them), and the source's layout must not read
/// a tensor the base's does not (for example <c>lm_head.weight</c> of an untied model against a tied base). Tensors
/// that neither layout reads (an <c>lm_head.weight</c> stored beside tied embeddings) are ignored, as the merge
/// ignores them.
/// </summary>
public static class SourceTensorCheck
{
    /// <summary>The first difference, as <c>model DIR: tensor NAME has shape [..], base has [..]</c>; null when none.</summary>
    public static string? FirstMismatch(ModelDirectory baseModel, ModelDirectory source)
    {
        var baseNames = baseModel.Layout.ExpectedNames().ToList();
        var baseSet = baseNames.ToHashSet(StringComparer.Ordinal);
        foreach (string name in baseNames)
        {
            if (!baseModel.Weights.Contains(name)) return $"base model {baseModel.Path}: tensor {name} is missing";
            if (!source.Weights.Contains(name)) return $"model {source.Path}: tensor {name} is missing (the base has it)";
            var own = source.Weights.Info(name);
            var reference = baseModel.Weights.Info(name);
            if (!own.Shape.SequenceEqual(reference.Shape))
                return $"model {source.Path}: tensor {name} has shape {own.ShapeText}, base has {reference.ShapeText}";
            if (IsFloat(own.DType) != IsFloat(reference.DType))
                return $"model {source.Path}: tensor {name} has dtype {own.DType.ToSafetensorsName()}, base has {reference.DType.ToSafetensorsName()}";
        }
        string? extra = source.Layout.ExpectedNames().FirstOrDefault(n => !baseSet.Contains(n));
        return extra is null ? null : $"model {source.Path}: tensor {extra} is not in the base";
    }

    private static bool IsFloat(DType dtype) => dtype is DType.F64 or DType.F32 or DType.F16 or DType.BF16;
}
