using EvoMerge.Merging.Methods;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// DELLA "MagPrune" (mergekit's <c>della_magprune</c> sparsifier): per row (a 1-D tensor is one row; otherwise
/// along dimension 1), the element of descending magnitude rank p (0 = largest, n elements) is kept with probability
/// <c>(density + epsilon) − 2·epsilon·p/(n − 1)</c>: the smallest with density − epsilon, the largest with
/// density + epsilon; draws come from <see cref="MergeContext.Random"/>. The family then applies the L1 rescale.
/// density ≥ 1 keeps everything, density ≤ 0 drops everything; otherwise density ± epsilon must lie in (0, 1), as
/// mergekit requires. A negative epsilon reverses the probabilities (the smallest magnitude kept with density + |epsilon|),
/// as mergekit's formula does; they must then lie in [0, 1], where mergekit's <c>torch.bernoulli</c> accepts them. Deviations: ranks are exact in every dtype (mergekit stores them in the work dtype,
/// so bf16 quantises them); equal magnitudes rank by index as in the TIES trim; a row of one element is kept with
/// probability density (mergekit divides 0 by 0 there).
/// </summary>
public sealed class DellaMagnitudePrune : ITaskVectorSparsifier
{
    /// <summary>The shared instance (the sparsifier is stateless).</summary>
    public static DellaMagnitudePrune Instance { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } = 
    [
        MergeParameter.Number("epsilon", ParameterScope.PerModel, 0.15).Within(ParameterDomain.NonNegative)
            .AcceptingUnusual(new(ParameterDomain.Any,
                "DELLA's keep probabilities are reversed, so smaller magnitudes are kept more often than larger ones", ""))
            .Searched(new SearchGene(0.0, 0.1, "della's per-model epsilon, the spread of keep probabilities around the density")),
    ];

    /// <summary>Any density ≤ 0, which drops every element (mergekit's <c>della_magprune</c> returns zeros there).</summary>
    public UnusualValues? UnusualDensity { get; } = new(ParameterDomain.Any,
        "DELLA keeps no element, so this model adds nothing to the merge", "every element is kept");

    /// <inheritdoc/>
    public bool UsesRandomness => true;

    /// <inheritdoc/>
    public torch.Tensor? KeepMask(torch.Tensor taskVector, MergeInput input, MergeContext context)
    {
        double density = ParameterLookup.PerModel(context, input, "density");
        double epsilon = ParameterLookup.PerModel(context, input, "epsilon");
        if (double.IsNaN(density))
            throw MergeException.ForTensor(context.TensorName, $"density of model '{input.Model}' is not a number");
        if (density > 0 && density < 1)
        {
            if (epsilon < 0 && !(density + epsilon >= 0 && density - epsilon <= 1))
                throw MergeException.ForTensor(context.TensorName,
                    $"density {density} ± epsilon {epsilon} of model '{input.Model}' must lie in [0, 1] (keep probabilities)");
            if (!(epsilon < 0) && !(density - epsilon > 0 && density + epsilon < 1))
                throw MergeException.ForTensor(context.TensorName,
                    $"density {density} ± epsilon {epsilon} of model '{input.Model}' must lie in (0, 1)");
        }
        var random = context.Random
            ?? throw MergeException.ForTensor(context.TensorName, "a random drop needs a seed (no generator was given)");
        return Mask(taskVector, density, epsilon, random);
    }

    /// <summary>The keep probability of descending rank <paramref name="position"/> in a row of <paramref name="count"/>.</summary>
    public static double KeepProbability(double density, double epsilon, long position, long count) =>
        count <= 1 ? density : density + epsilon - 2 * epsilon * position / (count - 1);

    /// <summary>The keep-mask of x's shape; null when density ≥ 1, all false when density ≤ 0.</summary>
    public static torch.Tensor? Mask(torch.Tensor x, double density, double epsilon, torch.Generator random)
    {
        if (density >= 1)
            return null;
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        if (density <= 0)
            return torch.zeros(x.shape, torch.ScalarType.Bool, x.device).MoveToOuterDisposeScope();

        var rows = x.dim() switch
        {
            0 => x.reshape(1, 1),
            1 => x.unsqueeze(0),
            _ => x,
        };
        long n = rows.shape[1];
        var (_, byMagnitude) = rows.abs().to(torch.ScalarType.Float32).sort(1, descending: true, stable: true);

        var positionShape = Enumerable.Repeat(1L, (int)rows.dim()).ToArray();
        positionShape[1] = n;
        var keepProbability = n <= 1
            ? torch.full(positionShape, scalars.Hold(density), torch.ScalarType.Float32, x.device)
            : (-(torch.arange(scalars.Hold(0.0), scalars.Hold(n), scalars.Hold(1.0), torch.ScalarType.Float64, x.device) * scalars.Hold(2 * epsilon / (n - 1))))
                .add(scalars.Hold(density + epsilon), ScalarConstants.One)
                .to(torch.ScalarType.Float32).view(positionShape);
        var keptByPosition = torch.rand(rows.shape, torch.ScalarType.Float32, x.device, generator: random).lt(keepProbability);

        var keep = torch.zeros(rows.shape, torch.ScalarType.Bool, x.device).scatter_(1, byMagnitude, keptByPosition);
        return keep.view(x.shape).MoveToOuterDisposeScope();
    }

    /// <summary>The pruned tensor (a new tensor), L1-rescaled when asked; density ≥ 1 returns a copy.</summary>
    public static torch.Tensor Apply(torch.Tensor x, double density, double epsilon, torch.Generator random, bool rescale = true)
    {
        using var scope = torch.NewDisposeScope();
        var mask = Mask(x, density, epsilon, random);
        return (mask is null ? x.clone() : L1Rescale.Apply(x, mask, rescale)).MoveToOuterDisposeScope();
    }
}
