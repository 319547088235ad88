using EvoMerge.Merging.Sparsification;
using EvoMerge.Tensors;
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
/// A model whose tensor shape differs from the base's is left out of that tensor by the recipe planner, with a warning,
/// as mergekit skips it; called directly, such a model is a <see cref="MergeException"/>. A larger embedding matrix is
/// cut to the base's rows and columns. The registered methods
/// derive from this class with fixed configurations; other configurations (e.g. <see cref="SignConsensus.Count"/>)
/// can be built directly.
/// </summary>
public class GeneralizedTaskArithmetic : IMergeMethod
{
    private readonly SignConsensus _consensus;
    private readonly ITaskVectorSparsifier? _sparsifier;

    /// <param name="methodName">The recipe name.</param>
    /// <param name="consensus">The sign election, or <see cref="SignConsensus.None"/>.</param>
    /// <param name="sparsifier">The sparsifier, or null to use the task vectors whole.</param>
    /// <param name="normalizeByDefault">Default of the global <c>normalize</c>.</param>
    /// <param name="rescaleByDefault">Default of the global <c>rescale</c>.</param>
    public GeneralizedTaskArithmetic(string methodName, SignConsensus consensus, ITaskVectorSparsifier? sparsifier,
        bool normalizeByDefault, bool rescaleByDefault)
    {
        Name = methodName;
        _consensus = consensus;
        _sparsifier = sparsifier;
        Parameters =
        [
            MergeParameter.Flag("int8_mask", false),
            MergeParameter.Flag("normalize", normalizeByDefault),
            MergeParameter.Flag("rescale", rescaleByDefault),
            MergeParameter.Number("lambda", ParameterScope.Global, 1.0),
            MergeParameter.Number("weight", ParameterScope.PerModel, required: true).Searched(SharedSearchGenes.Weight),
            Density(sparsifier),
            .. sparsifier?.Parameters ?? [],
        ];
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>
    /// The per-model density, (0, 1] and read as 1 above 1; the values below that mergekit merges are accepted with a
    /// warning: any without a sparsifier (mergekit reads density and ignores it), and the sparsifier's own.
    /// </summary>
    private static MergeParameter Density(ITaskVectorSparsifier? sparsifier)
    {
        var density = MergeParameter.Number("density", ParameterScope.PerModel, 1.0).Within(ParameterDomain.PositiveFraction).SaturatingAboveMaximum();
        if (sparsifier is null)
            return density.AcceptingUnusual(new(ParameterDomain.Any, "this method sparsifies nothing, so density has no effect", ""));
        density = density.Searched(SharedSearchGenes.Density);
        return sparsifier.UnusualDensity is { } unusual ? density.AcceptingUnusual(unusual) : density;
    }

    /// <summary>Global int8_mask (no effect on results), normalize, rescale, lambda; per-model weight (required),
    /// density (1.0) and the sparsifier's own.</summary>
    public IReadOnlyList<MergeParameter> Parameters { get; }

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Required;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, null);

    /// <summary>True when the sparsifier draws random numbers.</summary>
    public bool UsesRandomness => _sparsifier?.UsesRandomness ?? false;

    /// <summary>The sparsifier's <see cref="ITaskVectorSparsifier.Feasible"/>.</summary>
    public IReadOnlyDictionary<string, double> Feasible(IReadOnlyDictionary<string, double> perModel) => _sparsifier?.Feasible(perModel) ?? perModel;

    /// <summary>Base plus the sources; genes: weight, density when the method sparsifies, and the sparsifier's own.</summary>
    public MethodSearchSupport Search => MethodSearchSupport.TaskVectors;

    /// <summary>True when the sparsifier keeps a window of magnitude ranks (ties, breadcrumbs, breadcrumbs_ties).</summary>
    public bool TakesMagnitudeOrder => _sparsifier is IRankWindowSparsifier;

    /// <summary>Merges one tensor (see the class summary).</summary>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        var baseInput = context.RequireBase(Name);
        if (UsesRandomness && context.Random is null)
            throw MergeException.ForTensor(context.TensorName, $"{Name} draws random numbers and needs a seed (no generator was given)");
        bool normalize = ParameterLookup.GlobalFlag(context, "normalize");
        bool rescale = ParameterLookup.GlobalFlag(context, "rescale");
        double lambda = ParameterLookup.Global(context, "lambda");

        var b = baseInput.Tensor;
        if (context.Models.Count == 0)
            return b.clone().MoveToOuterDisposeScope();
        if (HasFloat32Kernel(context, b))
        {
            var merged = MergeFloat32(context, baseInput, normalize, rescale, lambda);
            return ReferenceEquals(merged, context.Destination) ? merged : merged.MoveToOuterDisposeScope();
        }
        return MergeTensors(context, baseInput, normalize, rescale, lambda).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The tensor-at-a-time formulation, for every dtype and consensus (the reference the float32 kernel matches bit for
    /// bit). Call inside a dispose scope.
    /// </summary>
    internal torch.Tensor MergeTensors(MergeContext context, MergeInput baseInput, bool normalize, bool rescale, double lambda)
    {
        using var scalars = new HeldScalars();
        var b = baseInput.Tensor;
        var weighted = new List<torch.Tensor>(context.Models.Count);
        var weights = new List<torch.Tensor>(context.Models.Count);
        foreach (var model in context.Models)
        {
            var weight = torch.tensor(ParameterLookup.PerModel(context, model, "weight"), b.dtype);
            var delta = InputAlignment.ToBaseShape(context, baseInput, model) - b;
            using (var keep = _sparsifier?.KeepMask(delta, model, context))
            {
                if (keep is not null)
                    Sparsify(delta, keep, rescale);
            }
            weighted.Add(delta.mul_(weight));
            weights.Add(weight);
        }

        var (mixed, divisor) = _consensus == SignConsensus.None
            ? SumAll(weighted, weights, b.dtype)
            : SumAgreeing(weighted, weights, b.dtype, scalars);
        if (normalize)
            mixed.div_(divisor);
        if (lambda != 1.0)
            mixed.mul_(scalars.Hold(lambda));
        return b.add(mixed, ScalarConstants.One);
    }

    private bool HasFloat32Kernel(MergeContext context, torch.Tensor b) =>
        _consensus is SignConsensus.None or SignConsensus.Sum
        && b.dtype == torch.ScalarType.Float32 && b.device_type == DeviceType.CPU
        && context.Models.All(m => m.Tensor.dtype == torch.ScalarType.Float32 && m.Tensor.device_type == DeviceType.CPU);

    /// <summary>
    /// The float32 CPU path: models whose mask is a rank window (or none) are read directly and their deltas never
    /// stored; random drops (<see cref="IElementDropSparsifier"/>) keep by their counter draws, recomputed in the fused
    /// pass (dare, no mask held), or build a keep-mask packed one bit per element from the model and base values (della), and
    /// for the L1 rescale take one pass of norms; other sparsifiers with the rescale materialise that
    /// model's delta as the tensor path does; then one fused pass (<see cref="Float32TaskArithmetic"/>) writes the
    /// result. Call inside a dispose scope.
    /// </summary>
    internal torch.Tensor MergeFloat32(MergeContext context, MergeInput baseInput, bool normalize, bool rescale, double lambda)
    {
        var b = baseInput.Tensor.contiguous();
        long n = b.numel();
        var terms = new List<Float32TaskArithmetic.Term>(context.Models.Count);
        float weightSum = 0f;
        foreach (var model in context.Models)
        {
            float weight = (float)ParameterLookup.PerModel(context, model, "weight");
            weightSum = terms.Count == 0 ? weight : weightSum + weight;
            var x = InputAlignment.ToBaseShape(context, baseInput, model).contiguous();
            if (_sparsifier is null)
            {
                terms.Add(new(Address(x), false, null, null, weight));
            }
            else if (_sparsifier is IRankWindowSparsifier windowed && !rescale)
            {
                var window = windowed.RankWindow(n, model, context);
                if (window is not { } w)
                {
                    terms.Add(new(Address(x), false, null, null, weight));
                    continue;
                }
                var source = new TaskVectorMagnitudes.Source(Address(x), Address(b), n);
                long from = Math.Clamp(w.Skip, 0, n);
                long to = Math.Clamp(from + Math.Max(w.Take, 0), from, n);
                var keep = Boundary(source, to, model.Magnitudes);
                var drop = from > 0 ? Boundary(source, from, model.Magnitudes) : (MagnitudeBoundary?)null;
                terms.Add(new(Address(x), false, keep, drop, weight));
            }
            else if (_sparsifier is IElementDropSparsifier drop && drop.RowLength(b.shape) is { } rowLength)
            {
                var source = new TaskVectorMagnitudes.Source(Address(x), Address(b), n);
                var (keep, draws, norms) = drop.Keep(source, rowLength, model, context, rescale);
                float? factor = norms is { } sums ? (float?)MaskedL1Norms.Factor(sums) : null;
                terms.Add(new(Address(x), false, null, null, weight, keep is null ? 0 : Address(keep), factor, draws));
            }
            else
            {
                var delta = x - b;
                using (var keep = _sparsifier.KeepMask(delta, model, context))
                {
                    if (keep is not null)
                        Sparsify(delta, keep, rescale);
                }
                terms.Add(new(Address(delta), true, null, null, weight));
            }
        }
        if (Math.Abs((double)weightSum) < 1e-8)
            weightSum = 1f;

        var output = context.Destination is { } d && d.dtype == torch.ScalarType.Float32 && d.device_type == DeviceType.CPU
            && d.is_contiguous() && d.shape.SequenceEqual(b.shape)
            ? d
            : torch.empty(b.shape, torch.ScalarType.Float32);
        Float32TaskArithmetic.Merge(Address(b), terms, n, _consensus == SignConsensus.Sum, normalize, weightSum, lambda, Address(output));
        return output;
    }

    /// <summary>Masks a task vector and rescales it when asked; random drops take their L1 norms as the fused pass does.</summary>
    private void Sparsify(torch.Tensor delta, torch.Tensor keep, bool rescale)
    {
        if (_sparsifier is IElementDropSparsifier)
            MaskedL1Norms.ApplyInPlace(delta, keep, rescale);
        else
            L1Rescale.ApplyInPlace(delta, keep, rescale);
    }

    private static MagnitudeBoundary Boundary(TaskVectorMagnitudes.Source source, long k, MagnitudeOrder? order) =>
        TaskVectorMagnitudes.Largest(source, k, order is not null && k > 0 && k < source.Count ? order.Cut(k) : null);

    private static nint Address(torch.Tensor contiguous) => Sparsification.MaskedL1Norms.Address(contiguous);

    /// <summary>Σ W_i and the scalar Σ w_i (1 where |Σ w_i| &lt; 1e-8). Consumes <paramref name="weighted"/>.</summary>
    private static (torch.Tensor Mixed, torch.Tensor Divisor) SumAll(List<torch.Tensor> weighted, List<torch.Tensor> weights, torch.ScalarType dtype)
    {
        var mixed = new StackSum(dtype);
        foreach (var w in weighted)
            mixed.AddOwned(w);
        var divisor = StackSum.Of(weights, dtype);
        if (Math.Abs(divisor.ToDouble()) < 1e-8)
            divisor = torch.tensor(1.0, dtype);
        return (mixed.Result(), divisor);
    }

    /// <summary>
    /// Σ W_i·m_i and Σ w_i·m_i per element (1 where 0), m_i marking where W_i has the elected sign. Consumes
    /// <paramref name="weighted"/>.
    /// </summary>
    private (torch.Tensor Mixed, torch.Tensor Divisor) SumAgreeing(List<torch.Tensor> weighted, List<torch.Tensor> weights,
        torch.ScalarType dtype, HeldScalars scalars)
    {
        using var electedSign = SignElection.ElectedSign(weighted, _consensus);
        var mixed = new StackSum(dtype);
        var divisor = new StackSum(dtype);
        for (int i = 0; i < weighted.Count; i++)
        {
            var agreement = SignElection.Agreement(weighted[i], electedSign);
            mixed.AddOwned(weighted[i].mul_(agreement));
            divisor.AddOwned(agreement.mul_(weights[i]));
        }
        var divisorResult = divisor.Result();
        using var zero = divisorResult.eq(scalars.Hold(0.0));
        divisorResult.masked_fill_(zero, scalars.Hold(1.0));
        return (mixed.Result(), divisorResult);
    }
}
