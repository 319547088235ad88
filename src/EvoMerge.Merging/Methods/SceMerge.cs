using EvoMerge.Merging.Sparsification;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// sce (select, calculate, erase): with task vectors δ_i = X_i − B, (1) when <c>select_topk</c> &lt; 1, keep in every
/// model only the <c>floor(count_nonzero(var)·select_topk)</c> positions of largest variance across models (population
/// variance; none when that is 0); (2) elect a sign per element from Σ δ_i (unweighted) and mask the disagreeing
/// entries; (3) weight each model by <c>mean(δ_i²)</c>, normalised to sum 1 (uniform when the sum is below 1e-6);
/// output <c>B + Σ w_i m_i δ_i / max(Σ w_i m_i, 1e-6)</c>. There are no user weights; <c>int8_mask</c> has no effect
/// on results. The variance top-k uses the exact selection of <see cref="MagnitudeSelection"/> (mergekit's
/// <c>topk</c> leaves ties unspecified); variances and weights are computed in float32.
/// </summary>
public sealed class SceMerge : IMergeMethod
{
    /// <inheritdoc/>
    public string Name => "sce";

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } =
    [
        MergeParameter.Flag("int8_mask", false),
        MergeParameter.Number("select_topk", ParameterScope.Global, 1.0),
    ];

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Required;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, null);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var baseInput = context.RequireBase("sce");
        if (context.Models.Count == 0)
            return baseInput.Tensor.clone().MoveToOuterDisposeScope();
        double selectTopK = ParameterLookup.Global(context, "select_topk");

        var aligned = InputAlignment.ToCommonShape(context, context.AllInputs);
        var b = aligned[0];
        var deltas = aligned.Skip(1).Select(x => x - b).ToList();

        if (selectTopK < 1)
        {
            using var selected = SelectByVariance(deltas, selectTopK);
            foreach (var delta in deltas)
                delta.mul_(selected);
        }

        using var electedSign = SignElection.ElectedSign(deltas, SignConsensus.Sum);
        var energies = deltas.Select(d => Math.Pow(d.to(torch.ScalarType.Float32).norm().ToDouble(), 2) / Math.Max(1, d.numel())).ToArray();
        double totalEnergy = energies.Sum();
        var weights = energies.Select(e => totalEnergy < 1e-6 ? 1.0 / energies.Length : e / totalEnergy).ToArray();

        var mixed = new StackSum(b.dtype);
        var divisor = new StackSum(b.dtype);
        for (int i = 0; i < deltas.Count; i++)
        {
            var weight = torch.tensor(weights[i], b.dtype);
            var agreement = SignElection.Agreement(deltas[i], electedSign);
            mixed.AddOwned(deltas[i].mul_(agreement).mul_(weight));
            divisor.AddOwned(agreement.mul_(weight));
        }
        var result = mixed.Result().div_(divisor.Result().clamp_min(scalars.Hold(1e-6)));
        return b.add(result, ScalarConstants.One).MoveToOuterDisposeScope();
    }

    /// <summary>Boolean mask of the positions with the largest variance across the task vectors.</summary>
    private static torch.Tensor SelectByVariance(IReadOnlyList<torch.Tensor> deltas, double fraction)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var wide = deltas.Select(d => d.to(torch.ScalarType.Float32)).ToArray();
        var mean = torch.zeros_like(wide[0]);
        foreach (var d in wide)
            mean.add_(d, ScalarConstants.One);
        mean.div_(scalars.Hold(wide.Length));
        var variance = torch.zeros_like(mean);
        foreach (var d in wide)
        {
            using var deviation = d - mean;
            variance.add_(deviation.mul_(deviation), ScalarConstants.One);
        }
        variance.div_(scalars.Hold(wide.Length));
        long k = (long)Math.Floor(variance.count_nonzero().ToInt64() * fraction);
        return MagnitudeSelection.Largest(variance, k).MoveToOuterDisposeScope();
    }
}
