using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// esm (Essential Subspace Merging; Li, Qi, Tian, Geng, CVPR 2026). Per 2-D tensor and task t, with G_t = XᵀX/N the
/// second moment of the layer's inputs X on the base model over task t's proxy prompts
/// (<see cref="MergeContext.ProxyInputs"/>): the essential subspace P_t is the top k = ⌊min(d_out, d_in)/T⌋
/// principal directions of the activation shift X·Δ_tᵀ, i.e. the top eigenvectors of <c>Δ_t·G_t·Δ_tᵀ</c>
/// (uncentred, as the authors' PCA), leaving out those whose eigenvalue is numerically zero (directions the proxy
/// inputs do not shift); the projected update <c>A_t = P_tᵀ·Δ_t</c> [k, d_in] is split into row norms s
/// and unit rows V̂. Polarised scaling with power p = <c>scaling_power</c> (default 2, 0 turns it off):
/// inter-task, each task's s times (‖Δ_t‖_F / mean_u ‖Δ_u‖_F)^p (‖Δ_t‖_F = ‖Pᵀ·Δ_t‖_F over the full eigenbasis P,
/// the norm the authors' code takes before the cut to k); inter-dimension, every input column j of the
/// stacked rows diag(s)·V̂ times (c_j / mean c)^p, c_j the column's norm (s and V̂ re-read from the scaled rows).
/// Then as TSV-M: the concatenated P's and V̂'s are replaced by their polar factors, <c>ΔW = P_⊥·diag(s)·V̂_⊥</c>.
/// Inter-layer (the third level), when the caller ran the pre-pass (<see cref="MergeContext.LayerStatistics"/>; the
/// executor and the search do): ΔW times (n_l / mean n)^p, n_l = mean_t ‖Δ_t‖_F of this tensor
/// (<see cref="TensorStatistic"/>) and the mean over the same tensor in every layer. Then <c>B + α·ΔW</c>. With
/// G_t ∝ I and p = 0 this is exactly TSV-M. Without proxy inputs
/// (no <c>proxy_tasks</c> in the recipe, or a search without them) a 2-D tensor is a <see cref="MergeException"/>;
/// a 2-D tensor that is not a linear layer's weight (embed_tokens with include_embeddings) is merged by TSV-M.
/// </summary>
public sealed class EssentialSubspaceMerge() : SubspaceMerge("esm",
    MergeParameter.Number("scaling_power", ParameterScope.Global, 2.0).Within(ParameterDomain.Between(0.0, 8.0))
        .Searched(new SearchGene(0.0, 2.0, "esm's power of its polarised scaling factors, 0 = none"))), IInterLayerMergeMethod
{
    /// <summary>esm projects onto each model's activation subspace, so it needs proxy activations.</summary>
    public bool NeedsProxyActivations => true;

    /// <summary>
    /// The inter-layer statistic of a 2-D tensor: ‖ΔW‖_F of its merged update before the inter-layer factor (after the
    /// inter-task and inter-dimension levels and the orthogonal rebuild, without alpha), as the paper's β_l; null for
    /// tensors merged by task arithmetic. Computed in a pre-pass over the whole merge (see <see cref="LayerStatistics"/>);
    /// with a <see cref="MergeContext.Factors"/> cache the merged update is kept for the pass that writes the tensor.
    /// </summary>
    public double? TensorStatistic(MergeContext context)
    {
        if (!IsMatrix(context)) return null;
        using var scope = torch.NewDisposeScope();
        var (deltas, exponent) = ScaledUpdates(context);
        return deltas.Count == 0 ? 0.0 : Math.ScaleB(Merged(context, deltas).norm().ToDouble(), exponent);
    }

    /// <inheritdoc/>
    protected override torch.Tensor Update(MergeContext context, IReadOnlyList<torch.Tensor> deltas)
    {
        using var scalars = new HeldScalars();
        double power = Power(context);
        var update = Merged(context, deltas);
        if (power > 0.0 && context.LayerStatistics?.RelativeToKind(context.TensorName) is double relative)
            update = update.mul(scalars.Hold(Math.Pow(relative, power)));
        return update;
    }

    private static double Power(MergeContext context)
    {
        double power = ParameterLookup.Global(context, "scaling_power");
        if (!(power >= 0.0 && power <= 8.0))
            throw MergeException.ForTensor(context.TensorName, $"esm: scaling_power must be between 0 and 8, got {power}");
        return power;
    }

    /// <summary>ΔW before the inter-layer factor; depends on the sources and the power only (cached per power).</summary>
    private torch.Tensor Merged(MergeContext context, IReadOnlyList<torch.Tensor> deltas)
    {
        double power = Power(context);
        var proxy = context.ProxyInputs ?? throw MergeException.ForTensor(context.TensorName,
            "esm needs proxy activations: set the recipe's top-level proxy_tasks (an eval task YAML per model) or the search's proxy tasks");
        return Cached(context, FormattableString.Invariant($"delta-w:{power:R}"), () => [MergedNow(context, deltas, proxy, power)])[0];
    }

    private torch.Tensor MergedNow(MergeContext context, IReadOnlyList<torch.Tensor> deltas, Func<MergeInput, torch.Tensor?> proxy, double power)
    {
        using var scalars = new HeldScalars();
        var moments = new List<torch.Tensor>(deltas.Count);
        foreach (var model in context.Models)
        {
            var moment = proxy(model);
            if (moment is null) return TsvMerge.Of(deltas);
            moments.Add(moment);
        }
        // The essential subspaces and coordinates depend on the sources alone: 2T tensors (bases, rows) and the norms.
        var essential = Cached(context, "essential", () => Essential(context, deltas, moments));
        int tasks = deltas.Count;
        var bases = essential.Take(tasks).ToList();
        var rows = essential.Skip(tasks).Take(tasks).ToList();
        var norms = essential[2 * tasks].data<double>().ToArray();

        if (power > 0.0)
        {
            double meanNorm = norms.Average();
            for (int t = 0; t < rows.Count && meanNorm > 0.0; t++)
                rows[t] = rows[t].mul(scalars.Hold(Math.Pow(norms[t] / meanNorm, power)));
        }
        var stacked = torch.cat(rows.ToArray(), 0);
        if (power > 0.0)
        {
            var columns = stacked.norm(0, true);
            var mean = columns.mean();
            if (mean.ToDouble() > 0.0)
                stacked = stacked.mul(columns.div(mean).pow(scalars.Hold(power)));
        }
        var s = stacked.norm(1, true);
        var unit = stacked.div(s.clamp_min(scalars.Hold(1e-30)));
        var u = torch.cat(bases.ToArray(), 1);
        // The polar factor of the bases does not depend on the power unless a direction is dropped (s negligible).
        var kept = s.squeeze(1).gt(s.max().mul(scalars.Hold(1e-6))).to_type(s.dtype);
        var polarBases = kept.sum().ToDouble() == kept.shape[0]
            ? Cached(context, "essential-polar", () => [SingularFactors.Polar(u)])[0]
            : SingularFactors.Polar(u.mul(kept.unsqueeze(0)));
        return SingularFactors.OrthogonalRebuild(polarBases, s.squeeze(1), unit, kept);
    }

    /// <summary>Per task: the essential basis P_t [d_out, k], the rows A_t = P_tᵀΔ_t [k, d_in]; then ‖Δ_t‖_F of all tasks (float64).</summary>
    private static torch.Tensor[] Essential(MergeContext context, IReadOnlyList<torch.Tensor> deltas, IReadOnlyList<torch.Tensor> rawMoments)
    {
        using var scalars = new HeldScalars();
        var moments = new List<torch.Tensor>(deltas.Count);
        for (int t = 0; t < deltas.Count; t++)
        {
            var moment = rawMoments[t];
            long inputs = deltas[0].shape[1];
            if (moment.dim() != 2 || moment.shape[0] != inputs || moment.shape[1] != inputs)
                throw MergeException.ForTensor(context.TensorName,
                    $"esm: proxy inputs of '{context.Models[t].Model}' are [{string.Join(", ", moment.shape)}], expected [{inputs}, {inputs}]");
            double largest = moment.abs().max().ToDouble();
            if (!double.IsFinite(largest))
                throw MergeException.ForTensor(context.TensorName,
                    $"esm: the proxy inputs of '{context.Models[t].Model}' have non-finite values (NaN or infinity): the base model's activations overflowed on its proxy prompts");
            // The essential subspace does not depend on G's scale: a power of two keeps Δ·G·Δᵀ inside the dtype's range.
            var work = moment.to_type(deltas[0].dtype);
            moments.Add(largest == 0.0 ? work : TimesPowerOfTwo(work, -(Math.ILogB(largest) + 1)));
        }

        long k = SingularFactors.RankPerTask(deltas[0], deltas.Count);
        var bases = new List<torch.Tensor>(deltas.Count);
        var rows = new List<torch.Tensor>(deltas.Count);
        var norms = new double[deltas.Count];
        for (int t = 0; t < deltas.Count; t++)
        {
            var delta = deltas[t];
            var shift = delta.matmul(moments[t]).matmul(delta.t());
            shift = shift.add(shift.t(), ScalarConstants.One).mul(scalars.Hold(0.5));
            var (values, vectors) = torch.linalg.eigh(shift);
            // Only directions the proxy inputs actually shift: when k exceeds the shift's rank (few proxy tokens, a
            // task identical to the base) the remaining eigenvectors are an arbitrary pick from its null space.
            var excited = values.narrow(0, values.shape[0] - k, k).flip(0)
                .gt(values.max().mul(scalars.Hold(shift.shape[0] * SingularFactors.Epsilon(shift.dtype)))).to_type(shift.dtype);
            var essential = vectors.narrow(1, vectors.shape[1] - k, k).flip(1).mul(excited.unsqueeze(0));
            bases.Add(essential);
            rows.Add(essential.t().matmul(delta));
            norms[t] = delta.norm().ToDouble();
        }
        return [.. bases, .. rows, torch.tensor(norms, torch.ScalarType.Float64)];
    }
}
