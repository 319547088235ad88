using EvoMerge.Merging.Sparsification;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// dare_ties: DARE random drop (<see cref="BernoulliDrop"/>, keep probability = density, L1 rescale by default) then
/// the TIES sign election. As in mergekit, it does not divide by the agreeing weight sum unless <c>normalize</c> is
/// set (default false), unlike ties. Needs <see cref="MergeContext.Random"/>. See
/// <see cref="GeneralizedTaskArithmetic"/>.
/// </summary>
public sealed class DareTiesMerge() : GeneralizedTaskArithmetic(
    "dare_ties", SignConsensus.Sum, BernoulliDrop.Instance, normalizeByDefault: false, rescaleByDefault: true);
