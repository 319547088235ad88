namespace EvoMerge.Merging.Methods;

/// <summary>
/// task_arithmetic: <c>B + λ·Σ w_i·(X_i − B)</c>, divided by Σ w_i when <c>normalize</c> (default false). The
/// per-model density is declared (default 1) but ignored, as in mergekit. See <see cref="GeneralizedTaskArithmetic"/>.
/// </summary>
public sealed class TaskArithmeticMerge() : GeneralizedTaskArithmetic(
    MethodName, SignConsensus.None, sparsifier: null, normalizeByDefault: false, rescaleByDefault: false)
{
    /// <summary>The recipe name, for callers that build task-arithmetic recipes of their own (seed genomes, reference points).</summary>
    public const string MethodName = "task_arithmetic";
}
