namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// A sparsifier whose mask is a window of magnitude ranks: the <c>Skip</c> largest magnitudes dropped, the next
/// <c>Take</c> kept, the rest dropped (TIES trim, Model Breadcrumbs). Knowing the window lets the task-arithmetic
/// engine decide per element without building a mask tensor; the kept set is the one
/// <see cref="ITaskVectorSparsifier.KeepMask"/> returns.
/// </summary>
public interface IRankWindowSparsifier : ITaskVectorSparsifier
{
    /// <summary>
    /// The rank window for a task vector of <paramref name="count"/> elements, or null to keep everything (density ≥ 1).
    /// Checks the parameters as <see cref="ITaskVectorSparsifier.KeepMask"/> does.
    /// </summary>
    (long Skip, long Take)? RankWindow(long count, MergeInput input, MergeContext context);
}
