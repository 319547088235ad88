namespace EvoMerge.Merging.Methods;

/// <summary>
/// task_arithmetic: <c>B + λ·Σ w_i·(X_i − B)</c>, divided by Σ w_i when <c>normalize</c> (default false). The
/// per-model density is declared (default 1) but ignored, as in mergekit. See <see cref="GeneralizedTaskArithmetic"/>.
/// </summary>
public sealed class TaskArithmeticMerge() : GeneralizedTaskArithmetic(
    "task_arithmetic", SignConsensus.None, sparsifier: null, normalizeByDefault: false, rescaleByDefault: false);
