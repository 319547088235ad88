using EvoMerge.Merging.Execution;

namespace EvoMerge.Merging.Vocabulary;

/// <summary>
/// Maps the rows of an embedding or head tensor's inputs onto the output vocabulary before the merge method runs:
/// truncation when models' row counts differ without tokenizer settings (<see cref="LegacyEmbeddingRows"/>), or
/// permutation and filling for a built vocabulary (<see cref="PermutedEmbeddingRows"/>).
/// </summary>
public interface IEmbeddingRows
{
    /// <summary>
    /// The inputs of <paramref name="tensor"/> (loaded in the order of <see cref="PlannedTensor.Inputs"/>) with rows
    /// mapped, each shaped as <see cref="PlannedTensor.Shape"/>; the new tensors belong to the caller's dispose scope.
    /// </summary>
    (MergeInput? Base, IReadOnlyList<MergeInput> Models) Apply(PlannedTensor tensor, MergeInput? baseInput, IReadOnlyList<MergeInput> models);
}
