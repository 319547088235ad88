using EvoMerge.Merging.Sparsification;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// breadcrumbs (Model Breadcrumbs): each task vector drops its largest <c>floor(gamma·numel)</c> and its smallest
/// magnitudes, keeping <c>floor(density·numel)</c> (<see cref="MagnitudeOutliers"/>); no sign election. Deviation:
/// when floor(gamma·numel) = 0 (every tensor under 100 elements at the default gamma 0.01) nothing is dropped from
/// the top, where mergekit zeroes the whole task vector. See <see cref="GeneralizedTaskArithmetic"/>.
/// </summary>
public sealed class BreadcrumbsMerge() : GeneralizedTaskArithmetic(
    "breadcrumbs", SignConsensus.None, MagnitudeOutliers.Instance, normalizeByDefault: false, rescaleByDefault: false);
