using EvoMerge.Merging.Sparsification;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// ties (TIES-merging): trim each task vector to its top <c>floor(density·numel)</c> magnitudes
/// (<see cref="MagnitudeTrim"/>), elect a sign per element from the sum of weighted deltas (a negative weight flips
/// that model's vote), keep the agreeing weighted deltas and, with <c>normalize</c> (default true), divide by the
/// agreeing models' weight sum: <c>B + λ·Σ w_i m_i TopK(δ_i) / Σ w_i m_i</c>. Deviation: a density so small that
/// floor(density·numel) = 0 keeps the single largest element (mergekit raises). See
/// <see cref="GeneralizedTaskArithmetic"/>.
/// </summary>
public sealed class TiesMerge() : GeneralizedTaskArithmetic(
    MethodName, SignConsensus.Sum, MagnitudeTrim.Instance, normalizeByDefault: true, rescaleByDefault: false)
{
    /// <summary>The recipe name, for callers that build TIES recipes of their own (reference points).</summary>
    public const string MethodName = "ties";
}
