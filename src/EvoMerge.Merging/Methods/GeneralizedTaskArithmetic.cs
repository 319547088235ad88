using EvoMerge.Merging.Sparsification;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// The one algorithm behind task_arithmetic, ties, dare_ties, dare_linear, breadcrumbs, breadcrumbs_ties, della and
/// della_linear (mergekit's generalized task arithmetic), configured by a sign consensus and a sparsifier. For base B
/// and models X_i: δ_i = X_i − B; sparsify each δ_i with its own density (L1 rescale when <c>rescale</c>);
/// W_i = w_i·δ̃_i; with a consensus, keep only the W_i agreeing with the elected sign and divide (when
/// <c>normalize</c>) by Σ w_i over the agreeing models per element, otherwise divide by Σ w_i (|Σ w_i| &lt; 1e-8 counts
/// as 1); multiply by <c>lambda</c>; add to B. Weights are rounded to the compute dtype and sums accumulated as torch
/// sums a stack. The base's own weight and density are ignored; with no other model the base is returned.
/// Deviation: a model whose tensor shape differs from the base's is a <see cref="MergeException"/> (mergekit skips
/// it with a warning); a larger embedding matrix is still cut to the base's rows and columns.
/// </summary>
public sealed class GeneralizedTaskArithmetic
{
    private readonly string _methodName;
    private readonly SignConsensus _consensus;
    private readonly ITaskVectorSparsifier? _sparsifier;

    /// <param name="methodName">The recipe name, for messages.</param>
    /// <param name="consensus">The sign election, or <see cref="SignConsensus.None"/>.</param>
    /// <param name="sparsifier">The sparsifier, or null to use the task vectors whole.</param>
    /// <param name="normalizeByDefault">Default of the global <c>normalize</c>.</param>
    /// <param name="rescaleByDefault">Default of the global <c>rescale</c>.</param>
    public GeneralizedTaskArithmetic(string methodName, SignConsensus consensus, ITaskVectorSparsifier? sparsifier,
        bool normalizeByDefault, bool rescaleByDefault)
    {
        _methodName = methodName;
        _consensus = consensus;
        _sparsifier = sparsifier;
        Parameters =
        [
            MergeParameter.Flag("int8_mask", false),
            MergeParameter.Flag("normalize", normalizeByDefault),
            MergeParameter.Flag("rescale", rescaleByDefault),
            MergeParameter.Number("lambda", ParameterScope.Global, 1.0),
            MergeParameter.Number("weight", ParameterScope.PerModel, required: true),
            MergeParameter.Number("density", ParameterScope.PerModel, 1.0),
            .. sparsifier?.Parameters ?? [],
        ];
    }

    /// <summary>Global int8_mask (no effect on results), normalize, rescale, lambda; per-model weight, density and the
    /// sparsifier's own.</summary>
    public IReadOnlyList<MergeParameter> Parameters { get; }

    /// <summary>True when the sparsifier draws random numbers.</summary>
    public bool UsesRandomness => _sparsifier?.UsesRandomness ?? false;

    /// <summary>Merges one tensor (see the class summary).</summary>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        var baseInput = context.Base
            ?? throw MergeException.ForTensor(context.TensorName, $"{_methodName} needs a base_model");
        if (UsesRandomness && context.Random is null)
            throw MergeException.ForTensor(context.TensorName, $"{_methodName} draws random numbers and needs a seed (no generator was given)");
        bool normalize = ParameterLookup.GlobalFlag(context, "normalize");
        bool rescale = ParameterLookup.GlobalFlag(context, "rescale");
        double lambda = ParameterLookup.Global(context, "lambda");

        var b = baseInput.Tensor;
        var dtype = b.dtype;
        if (context.Models.Count == 0)
            return b.clone().MoveToOuterDisposeScope();

        var weighted = new List<torch.Tensor>(context.Models.Count);
        var weights = new List<torch.Tensor>(context.Models.Count);
        foreach (var model in context.Models)
        {
            double weight = ParameterLookup.PerModel(context, model, "weight");
            var weightTensor = torch.tensor(weight, dtype);
            using var delta = InputAlignment.ToBaseShape(context, baseInput, model) - b;
            using var sparse = _sparsifier?.Sparsify(delta, model, rescale, context) ?? delta.alias();
            weighted.Add(sparse * weightTensor);
            weights.Add(weightTensor);
        }

        torch.Tensor mixed;
        torch.Tensor divisor;
        if (_consensus == SignConsensus.None)
        {
            mixed = StackSum.Of(weighted, dtype);
            divisor = StackSum.Of(weights, dtype);
            if (Math.Abs(divisor.ToDouble()) < 1e-8)
                divisor = torch.tensor(1.0, dtype);
        }
        else
        {
            var electedPositive = SignElection.ElectPositive(weighted, _consensus);
            var mixedSum = new StackSum(dtype);
            var divisorSum = new StackSum(dtype);
            var zero = torch.tensor(0.0, dtype);
            for (int i = 0; i < weighted.Count; i++)
            {
                using var agrees = SignElection.Agrees(weighted[i], electedPositive);
                using var agreeing = torch.where(agrees, weighted[i], zero);
                using var agreeingWeight = torch.where(agrees, weights[i], zero);
                mixedSum.Add(agreeing);
                divisorSum.Add(agreeingWeight);
                weighted[i].Dispose();
            }
            mixed = mixedSum.Result();
            divisor = divisorSum.Result();
            divisor.masked_fill_(divisor.eq(0), 1.0);
        }

        if (normalize)
            mixed = mixed / divisor;
        if (lambda != 1.0)
            mixed = mixed * lambda;
        return (b + mixed).MoveToOuterDisposeScope();
    }
}
