using EvoMerge.Merging.Sparsification;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// dare_linear: <c>B + λ·Σ w_i·DARE(δ_i)</c>, DARE being a random drop with keep probability = density and (by
/// default) an L1 rescale (<see cref="BernoulliDrop"/>); no sign election, no normalisation by default. Needs
/// <see cref="MergeContext.Random"/>. See <see cref="GeneralizedTaskArithmetic"/>.
/// </summary>
public sealed class DareLinearMerge() : GeneralizedTaskArithmetic(
    "dare_linear", SignConsensus.None, BernoulliDrop.Instance, normalizeByDefault: false, rescaleByDefault: true);
