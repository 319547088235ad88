using EvoMerge.Merging.Methods;
using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// DARE (mergekit's <c>bernoulli</c> sparsifier): every element is kept independently with probability = density,
/// drawn from <see cref="MergeContext.Random"/>. With the family's default <c>rescale: true</c> the survivors are
/// scaled by the exact L1 ratio (<see cref="L1Rescale"/>), not the paper's 1/p. Randomness comes from EvoMerge's own
/// seeded generator: statistically, not bitwise, the same as mergekit. A density of 0 drops everything; below 0 is an
/// error (torch's bernoulli refuses it in mergekit too).
/// </summary>
public sealed class BernoulliDrop : ITaskVectorSparsifier
{
    /// <summary>The shared instance (the sparsifier is stateless).</summary>
    public static BernoulliDrop Instance { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } = [];

    /// <summary>Density 0, which drops every element as mergekit's <c>torch.bernoulli</c> of 0 does; below 0 torch raises, and so does EvoMerge.</summary>
    public UnusualValues? UnusualDensity { get; } = new(ParameterDomain.NonNegative,
        "DARE keeps no element, so this model adds nothing to the merge", "every element is kept");

    /// <inheritdoc/>
    public bool UsesRandomness => true;

    /// <inheritdoc/>
    public torch.Tensor? KeepMask(torch.Tensor taskVector, MergeInput input, MergeContext context)
    {
        double density = ParameterLookup.PerModel(context, input, "density");
        if (!(density >= 0))
            throw MergeException.ForTensor(context.TensorName, $"density {density} of model '{input.Model}' must be at least 0");
        var random = context.Random
            ?? throw MergeException.ForTensor(context.TensorName, "a random drop needs a seed (no generator was given)");
        return Mask(taskVector, density, random);
    }

    /// <summary>An i.i.d. Bernoulli(density) keep-mask of x's shape, or null when density ≥ 1.</summary>
    public static torch.Tensor? Mask(torch.Tensor x, double density, torch.Generator random)
    {
        if (density >= 1)
            return null;
        return torch.empty(x.shape, torch.ScalarType.Bool, x.device).bernoulli_(density, random);
    }

    /// <summary>The dropped tensor (a new tensor), L1-rescaled when asked; density ≥ 1 returns a copy.</summary>
    public static torch.Tensor Apply(torch.Tensor x, double density, torch.Generator random, bool rescale = true)
    {
        using var scope = torch.NewDisposeScope();
        var mask = Mask(x, density, random);
        return (mask is null ? x.clone() : L1Rescale.Apply(x, mask, rescale)).MoveToOuterDisposeScope();
    }
}
