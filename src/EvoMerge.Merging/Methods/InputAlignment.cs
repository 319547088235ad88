using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// Checks that a method's inputs have matching shapes. Embedding tensors (embed_tokens, lm_head) of different
/// vocabulary sizes are truncated as mergekit does; any other mismatch is a <see cref="MergeException"/> naming the
/// tensor and both shapes (mergekit's task-arithmetic family skips such a model with a warning, which EvoMerge's recipe
/// planner does before a method sees the inputs).
/// </summary>
internal static class InputAlignment
{
    /// <summary>
    /// The inputs' tensors with one common shape. Two-dimensional embeddings are cut to the largest common sub-matrix
    /// <c>[:min_rows, :min_cols]</c> (mergekit's <c>rectify_embed_sizes</c>); the returned tensors are views.
    /// </summary>
    public static torch.Tensor[] ToCommonShape(MergeContext context, IReadOnlyList<MergeInput> inputs)
    {
        var tensors = inputs.Select(i => i.Tensor).ToArray();
        if (tensors.All(t => t.shape.SequenceEqual(tensors[0].shape)))
            return tensors;

        if (context.IsEmbedding && tensors.All(t => t.dim() == 2))
        {
            long rows = tensors.Min(t => t.shape[0]);
            long columns = tensors.Min(t => t.shape[1]);
            return tensors.Select(t => t.narrow(0, 0, rows).narrow(1, 0, columns)).ToArray();
        }

        int other = Array.FindIndex(tensors, t => !t.shape.SequenceEqual(tensors[0].shape));
        throw Mismatch(context, inputs[0], inputs[other]);
    }

    /// <summary>
    /// A model's tensor with the base's shape. A larger two-dimensional embedding is cut to the base's
    /// <c>[:rows, :cols]</c> (as mergekit's task-arithmetic family does); anything else that differs is an error.
    /// </summary>
    public static torch.Tensor ToBaseShape(MergeContext context, MergeInput baseInput, MergeInput model)
    {
        var b = baseInput.Tensor;
        var x = model.Tensor;
        if (x.shape.SequenceEqual(b.shape))
            return x;
        if (context.IsEmbedding && x.dim() == 2 && b.dim() == 2 && x.shape[0] >= b.shape[0] && x.shape[1] >= b.shape[1])
            return x.narrow(0, 0, b.shape[0]).narrow(1, 0, b.shape[1]);
        throw Mismatch(context, baseInput, model);
    }

    private static MergeException Mismatch(MergeContext context, MergeInput first, MergeInput second) =>
        MergeException.ForTensor(context.TensorName,
            $"shape mismatch: '{first.Model}' has {Describe(first.Tensor)}, '{second.Model}' has {Describe(second.Tensor)}");

    private static string Describe(torch.Tensor tensor) => $"[{string.Join(", ", tensor.shape)}]";
}
