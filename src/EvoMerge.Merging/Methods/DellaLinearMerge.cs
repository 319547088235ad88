using EvoMerge.Merging.Sparsification;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// della_linear: the DELLA rank-based random drop with L1 rescale (<see cref="DellaMagnitudePrune"/>), then a plain
/// weighted sum: no sign election, no normalisation by default. Needs <see cref="MergeContext.Random"/>. See
/// <see cref="GeneralizedTaskArithmetic"/>.
/// </summary>
public sealed class DellaLinearMerge() : GeneralizedTaskArithmetic(
    "della_linear", SignConsensus.None, DellaMagnitudePrune.Instance, normalizeByDefault: false, rescaleByDefault: true);
