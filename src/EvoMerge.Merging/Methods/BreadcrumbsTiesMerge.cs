using EvoMerge.Merging.Sparsification;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// breadcrumbs_ties: the Model Breadcrumbs drop (<see cref="MagnitudeOutliers"/>) followed by the TIES sign
/// election; no normalisation by default. Deviation as for breadcrumbs: floor(gamma·numel) = 0 drops nothing from
/// the top instead of zeroing the task vector. See <see cref="GeneralizedTaskArithmetic"/>.
/// </summary>
public sealed class BreadcrumbsTiesMerge() : GeneralizedTaskArithmetic(
    "breadcrumbs_ties", SignConsensus.Sum, MagnitudeOutliers.Instance, normalizeByDefault: false, rescaleByDefault: false);
