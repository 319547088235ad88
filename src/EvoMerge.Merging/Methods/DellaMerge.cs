using EvoMerge.Merging.Sparsification;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// della (DELLA-merging): rank-based random drop per row (<see cref="DellaMagnitudePrune"/>: keep probability from
/// density − epsilon for the smallest |δ| to density + epsilon for the largest), L1 rescale, TIES sign election and
/// normalisation by the agreeing weight sum (all on by default). Needs <see cref="MergeContext.Random"/>. See
/// <see cref="GeneralizedTaskArithmetic"/>.
/// </summary>
public sealed class DellaMerge() : GeneralizedTaskArithmetic(
    "della", SignConsensus.Sum, DellaMagnitudePrune.Instance, normalizeByDefault: true, rescaleByDefault: true);
