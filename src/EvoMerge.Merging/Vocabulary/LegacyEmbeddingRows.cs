using EvoMerge.Merging.Execution;

namespace EvoMerge.Merging.Vocabulary;

/// <summary>
/// mergekit without tokenizer settings, for embedding and head tensors whose row counts differ: every input keeps
/// its first <see cref="Rows"/> rows. Task-vector methods (task_arithmetic, ties, dare, breadcrumbs, della) take the
/// base's row count (get_task_vectors' submatrix); all other methods the smallest (rectify_embed_sizes' common
/// submatrix).
/// </summary>
/// <param name="Rows">The output row count.</param>
public sealed record LegacyEmbeddingRows(long Rows) : IEmbeddingRows
{
    /// <inheritdoc />
    public (MergeInput? Base, IReadOnlyList<MergeInput> Models) Apply(PlannedTensor tensor, MergeInput? baseInput, IReadOnlyList<MergeInput> models)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(models);
        return (baseInput is null ? null : Truncated(baseInput), models.Select(Truncated).ToList());
    }

    private MergeInput Truncated(MergeInput input) =>
        input.Tensor.shape[0] == Rows ? input : input with { Tensor = input.Tensor.narrow(0, 0, Rows) };
}
