using EvoMerge.Merging.Methods;
using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// TIES trim (mergekit's <c>magnitude</c> sparsifier): keeps exactly <c>k = floor(density·numel)</c> elements of
/// largest |δ| over the whole tensor (not per row), ties going to the lower index. Selection uses
/// <see cref="MagnitudeSelection"/> (no full sort) and the input's <see cref="MagnitudeOrder"/> when one is given.
/// Deliberate deviation: where mergekit raises because k = 0 (a density below 1/numel), EvoMerge keeps the single
/// largest element; a density ≤ 0 is an error.
/// </summary>
public sealed class MagnitudeTrim : IRankWindowSparsifier
{
    /// <summary>The shared instance (the sparsifier is stateless).</summary>
    public static MagnitudeTrim Instance { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } = [];

    /// <summary>None: mergekit's trim asserts that it keeps at least one element, so a density ≤ 0 stays an error.</summary>
    public UnusualValues? UnusualDensity => null;

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <inheritdoc/>
    public torch.Tensor? KeepMask(torch.Tensor taskVector, MergeInput input, MergeContext context)
    {
        double density = Density(taskVector.numel(), input, context);
        return Mask(taskVector, density, input.Magnitudes);
    }

    /// <inheritdoc/>
    public (long Skip, long Take)? RankWindow(long count, MergeInput input, MergeContext context)
    {
        double density = Density(count, input, context);
        return density >= 1 ? null : (0, KeepCount(density, count));
    }

    private static double Density(long count, MergeInput input, MergeContext context)
    {
        double density = ParameterLookup.PerModel(context, input, "density");
        if (!(density > 0))
            throw MergeException.ForTensor(context.TensorName, $"density {density} of model '{input.Model}' must be greater than 0 for a magnitude trim");
        if (input.Magnitudes is { } order && order.Count != count)
            throw MergeException.ForTensor(context.TensorName,
                $"the magnitude order of model '{input.Model}' has {order.Count} elements but its task vector has {count}");
        return density;
    }

    /// <summary>How many elements a density in (0, 1) keeps: <c>floor(density·count)</c>, at least 1.</summary>
    public static long KeepCount(double density, long count) => Math.Max(1, (long)Math.Floor(density * count));

    /// <summary>
    /// The keep-mask of <paramref name="x"/>'s shape, or null when density ≥ 1. <paramref name="order"/>, when given,
    /// must be <see cref="MagnitudeOrder.FromTaskVector"/> of <paramref name="x"/>.
    /// </summary>
    public static torch.Tensor? Mask(torch.Tensor x, double density, MagnitudeOrder? order = null)
    {
        if (density >= 1)
            return null;
        long k = KeepCount(density, x.numel());
        return MagnitudeSelection.Largest(x, k, order?.Cut(k));
    }

    /// <summary>The trimmed tensor (a new tensor), L1-rescaled when asked; density ≥ 1 returns a copy.</summary>
    public static torch.Tensor Apply(torch.Tensor x, double density, bool rescale = false, MagnitudeOrder? order = null)
    {
        using var scope = torch.NewDisposeScope();
        var mask = Mask(x, density, order);
        return (mask is null ? x.clone() : L1Rescale.Apply(x, mask, rescale)).MoveToOuterDisposeScope();
    }
}
