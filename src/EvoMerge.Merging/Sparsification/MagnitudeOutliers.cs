using EvoMerge.Merging.Methods;
using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// Model Breadcrumbs (mergekit's <c>magnitude_outliers</c> sparsifier): with n = numel, keeps
/// <c>floor(density·n)</c> elements after dropping the <c>n_top = floor(gamma·n)</c> largest magnitudes and the
/// <c>n − kept − n_top</c> smallest (when that is negative, n_top shrinks instead). Ranking is exact, without a sort,
/// with the same tie rule as the TIES trim (<see cref="MagnitudeSelection"/>). Deliberate deviation: when n_top = 0,
/// nothing is dropped from the top; mergekit then zeroes the whole task vector (its slice <c>[n_bot:-0]</c> is empty),
/// which happens for every tensor under 100 elements at the default gamma 0.01. As in mergekit, a density ≤ 0 or a
/// gamma below 0 keeps nothing (mergekit's slice is empty there too), and a gamma above 1 keeps the <c>floor(density·n)</c>
/// smallest magnitudes (the top drop shrinks to fit).
/// </summary>
public sealed class MagnitudeOutliers : IRankWindowSparsifier
{
    /// <summary>The shared instance (the sparsifier is stateless).</summary>
    public static MagnitudeOutliers Instance { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } = 
    [
        MergeParameter.Number("gamma", ParameterScope.PerModel, 0.01).Within(ParameterDomain.UnitInterval)
            .AcceptingUnusual(new(ParameterDomain.Any,
                "mergekit's outlier slice is then empty, so breadcrumbs keeps no element and this model adds nothing to the merge",
                "the top drop shrinks to fit the density, so only the smallest magnitudes are kept"))
            .Searched(new SearchGene(0.0, 0.1, "breadcrumbs' per-model gamma, the fraction of largest magnitudes dropped")),
    ];

    /// <summary>Any density ≤ 0, which keeps no element (mergekit's outlier slice is then empty).</summary>
    public UnusualValues? UnusualDensity { get; } = new(ParameterDomain.Any,
        "breadcrumbs keeps no element, so this model adds nothing to the merge", "every element is kept");

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <inheritdoc/>
    public torch.Tensor? KeepMask(torch.Tensor taskVector, MergeInput input, MergeContext context)
    {
        var (density, gamma) = Settings(taskVector.numel(), input, context);
        return Mask(taskVector, density, gamma, input.Magnitudes);
    }

    /// <inheritdoc/>
    public (long Skip, long Take)? RankWindow(long count, MergeInput input, MergeContext context)
    {
        var (density, gamma) = Settings(count, input, context);
        if (density >= 1)
            return null;
        var (top, keep) = Ranks(density, gamma, count);
        return (top, keep);
    }

    private static (double Density, double Gamma) Settings(long count, MergeInput input, MergeContext context)
    {
        double density = ParameterLookup.PerModel(context, input, "density");
        double gamma = ParameterLookup.PerModel(context, input, "gamma");
        if (double.IsNaN(density) || double.IsNaN(gamma))
            throw MergeException.ForTensor(context.TensorName, $"density {density} or gamma {gamma} of model '{input.Model}' is not a number");
        if (input.Magnitudes is { } order && order.Count != count)
            throw MergeException.ForTensor(context.TensorName,
                $"the magnitude order of model '{input.Model}' has {order.Count} elements but its task vector has {count}");
        return (density, gamma);
    }

    /// <summary>
    /// How many of the largest magnitudes are dropped and how many after them are kept (none when density ≤ 0 or
    /// gamma &lt; 0, as mergekit's slice is then empty).
    /// </summary>
    public static (long DropTop, long Keep) Ranks(double density, double gamma, long count)
    {
        if (density <= 0 || gamma < 0)
            return (0, 0);
        long keep = (long)Math.Floor(Math.Min(density, 1.0) * count);
        long top = (long)Math.Floor(Math.Min(gamma, 1.0) * count);
        long bottom = count - keep - top;
        if (bottom < 0)
            top += bottom;
        return (top, keep);
    }

    /// <summary>
    /// The keep-mask of x's shape, or null when density ≥ 1. <paramref name="order"/>, when given, must be
    /// <see cref="MagnitudeOrder.FromTaskVector"/> of <paramref name="x"/>.
    /// </summary>
    public static torch.Tensor? Mask(torch.Tensor x, double density, double gamma, MagnitudeOrder? order = null)
    {
        if (density >= 1)
            return null;
        long n = x.numel();
        var (top, keep) = Ranks(density, gamma, n);
        long end = top + keep;
        var topCut = order is not null && top > 0 && top < n ? order.Cut(top) : (MagnitudeCut?)null;
        var endCut = order is not null && end > 0 && end < n ? order.Cut(end) : (MagnitudeCut?)null;
        return MagnitudeSelection.RankRange(x, top, keep, topCut, endCut);
    }

    /// <summary>The sparsified tensor (a new tensor), L1-rescaled when asked; density ≥ 1 returns a copy.</summary>
    public static torch.Tensor Apply(torch.Tensor x, double density, double gamma, bool rescale = false, MagnitudeOrder? order = null)
    {
        using var scope = torch.NewDisposeScope();
        var mask = Mask(x, density, gamma, order);
        return (mask is null ? x.clone() : L1Rescale.Apply(x, mask, rescale)).MoveToOuterDisposeScope();
    }
}
