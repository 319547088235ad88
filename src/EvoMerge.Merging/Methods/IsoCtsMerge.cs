using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// iso_cts (Iso-CTS, isotropic merging in common and task-specific subspaces; Marczak et al., ICML 2025): per 2-D
/// tensor of rank r = min(d_out, d_in), the top k singular directions of the summed updates Σ_t Δ_t form the common
/// subspace, k = ⌊<c>common_space_fraction</c>·r⌋ (default 0.8) moved so that r − k splits evenly into T task parts
/// of s = round((r − k)/T) directions; each task contributes the top s singular directions of its update with the
/// common subspace projected out, <c>(I − U_c U_cᵀ)·Δ_t</c>. All left and right vectors are concatenated, replaced by
/// their polar factors, and given one isotropic singular value, the mean of the kept singular values (common and
/// task-specific): <c>ΔW = σ̄·U_⊥V_⊥ᵀ</c>, then <c>B + α·ΔW</c>. With s = 0 this is Iso-C. Directions whose
/// singular value is numerically zero (a task identical to the base, a sum of lower rank than k) are dropped from the
/// concatenation and from σ̄, as in Iso-C. See <see cref="SubspaceMerge"/> for the fallback and parameters.
/// </summary>
public sealed class IsoCtsMerge() : SubspaceMerge("iso_cts",
    MergeParameter.Number("common_space_fraction", ParameterScope.Global, 0.8).Within(ParameterDomain.UnitInterval)
        .Searched(new SearchGene(0.5, 1.0, "iso_cts's fraction of the rank kept as the common subspace")))
{
    /// <inheritdoc/>
    protected override torch.Tensor Update(MergeContext context, IReadOnlyList<torch.Tensor> deltas)
    {
        double fraction = ParameterLookup.Global(context, "common_space_fraction");
        if (!(fraction >= 0.0 && fraction <= 1.0))
            throw MergeException.ForTensor(context.TensorName, $"iso_cts: common_space_fraction must be between 0 and 1, got {fraction}");
        int tasks = deltas.Count;
        long rank = Math.Min(deltas[0].shape[0], deltas[0].shape[1]);
        long common = (long)Math.Floor(fraction * rank);
        long perTask = (long)Math.Round((rank - common) / (double)tasks, MidpointRounding.ToEven);
        if (perTask * tasks > rank) perTask = rank / tasks;
        common = rank - perTask * tasks;

        // The sum's SVD and each task's frame in its basis depend on the sources alone; ΔW also on the per-task count
        // (which fixes the common rank).
        return Cached(context, $"delta-w:{perTask}", () => [Rebuild(context, deltas, common, perTask)])[0];
    }

    /// <summary>
    /// The SVD of Σ_t Δ_t, [U, S, Vᵀ]; in float32 also Vᵀ made orthonormal in float64
    /// (<see cref="ExtendedRowsPolar.Orthonormalized"/>), whose leading rows are the common subspace's rows of the right
    /// polar factor.
    /// </summary>
    private static torch.Tensor[] SumSvd(IReadOnlyList<torch.Tensor> deltas)
    {
        var sum = deltas.Aggregate((total, d) => total.add(d, ScalarConstants.One));
        var (u, s, vh) = SingularFactors.Svd(sum);
        return sum.dtype == torch.ScalarType.Float32 ? [u, s, vh, ExtendedRowsPolar.Orthonormalized(vh)] : [u, s, vh];
    }

    /// <summary>
    /// Task update Δ [m, n] in the basis U [m, r] of the sum's left singular vectors: the coefficients <c>C = UᵀΔ</c>
    /// [r, n] and, when Δ has a part outside U's span (a tall matrix, r &lt; m), that residual <c>R = Δ − U·C</c> as
    /// <c>Q·B</c>: Q [m, q] its left singular vectors (orthogonal to U) and B [q, n] = diag(σ)·Wᵀ, over the singular
    /// values above ‖Δ‖_F·max(m, n)·ε (what is below is rounding). One tensor (C) when there is no such part.
    /// Then <c>(I − U_c U_cᵀ)·Δ = [U_rest | Q]·[C_rest; B]</c> with orthonormal columns on the left, so the SVD of the
    /// projected update is that of the small stacked matrix, whatever the common rank. In float32 a fourth tensor,
    /// BᵀB in float64: the stacked matrix's Gram is then <c>C_restᵀC_rest + BᵀB</c>, formed from the rest's rows alone.
    /// </summary>
    private static torch.Tensor[] TaskFrame(torch.Tensor u, torch.Tensor delta)
    {
        var coefficients = u.t().matmul(delta);
        var residual = delta - u.matmul(coefficients);
        double tolerance = delta.norm().ToDouble() * Math.Max(delta.shape[0], delta.shape[1]) * SingularFactors.Epsilon(delta.dtype);
        if (residual.norm().ToDouble() <= tolerance) return [coefficients];
        var (q, sigma, wh) = SingularFactors.Svd(residual);
        using var bound = tolerance.ToScalar();
        long kept = sigma.gt(bound).sum().ToInt64();
        if (kept == 0) return [coefficients];
        var rows = sigma.narrow(0, 0, kept).unsqueeze(1).mul(wh.narrow(0, 0, kept));
        if (delta.dtype != torch.ScalarType.Float32) return [coefficients, q.narrow(1, 0, kept), rows];
        var wide = rows.to_type(torch.ScalarType.Float64);
        return [coefficients, q.narrow(1, 0, kept), rows, wide.t().matmul(wide)];
    }

    private torch.Tensor Rebuild(MergeContext context, IReadOnlyList<torch.Tensor> deltas, long common, long perTask)
    {
        var sumSvd = Cached(context, "sum-svd", () => SumSvd(deltas));
        var (u, s, vh) = (sumSvd[0], sumSvd[1], sumSvd[2]);
        var us = new List<torch.Tensor> { u.narrow(1, 0, common) };
        var ss = new List<torch.Tensor> { s.narrow(0, 0, common) };
        var vs = new List<torch.Tensor> { vh.narrow(0, 0, common) };
        if (perTask > 0)
        {
            long restRank = u.shape[1] - common;
            var rest = u.narrow(1, common, restRank);
            for (int t = 0; t < deltas.Count; t++)
            {
                var delta = deltas[t];
                var frame = Cached(context, $"task-frame:{t}", () => TaskFrame(u, delta));
                var restCoefficients = frame[0].narrow(0, common, restRank);
                var stacked = frame.Length == 1 ? restCoefficients : torch.cat([restCoefficients, frame[2]], 0);
                var (a, ts, tvh) = SingularFactors.TruncatedByGram(stacked, perTask, frame.Length > 3 ? RestGram(restCoefficients, frame[3]) : null);
                var tu = rest.matmul(a.narrow(0, 0, restRank));
                if (frame.Length > 1) tu = tu.add(frame[1].matmul(a.narrow(0, restRank, frame[1].shape[1])), ScalarConstants.One);
                us.Add(tu);
                ss.Add(ts);
                vs.Add(tvh);
            }
        }
        var values = torch.cat(ss.ToArray(), 0);
        var kept = SingularFactors.Significant(values, deltas[0]);
        if (kept.sum().ToDouble() == 0.0) return torch.zeros_like(deltas[0]);
        var isotropic = kept.mul(values.mul(kept).sum().div(kept.sum()));
        var orthonormalCommon = sumSvd.Length > 3 ? sumSvd[3].narrow(0, 0, common) : null;
        return IsotropicRebuild(torch.cat(us.ToArray(), 1), isotropic, torch.cat(vs.ToArray(), 0), common, orthonormalCommon);
    }

    /// <summary>The Gram matrix <c>C_restᵀC_rest + BᵀB</c> of a task's stacked matrix [C_rest; B], in float64.</summary>
    private static torch.Tensor RestGram(torch.Tensor restCoefficients, torch.Tensor residualGram)
    {
        var rest = restCoefficients.to_type(torch.ScalarType.Float64);
        return rest.t().matmul(rest).add(residualGram, ScalarConstants.One);
    }

    /// <summary>
    /// <see cref="SingularFactors.OrthogonalRebuild(torch.Tensor, torch.Tensor, torch.Tensor)"/> of the concatenated
    /// left vectors <paramref name="u"/> = [U_c, T_U], values <paramref name="s"/> and right vectors
    /// <paramref name="vh"/>, using what the construction guarantees: U_c's columns are orthonormal (the sum's left
    /// singular vectors) and every task's left vectors lie in the frame [U_rest, Q_t], orthogonal to U_c, so the left
    /// polar factor is [U_c, polar(T_U)] (T_U first has its rounding-level part along U_c removed): a polar factor of
    /// K − common columns instead of K, by <see cref="SingularFactors.PolarOfColumns"/>. Likewise the right vectors'
    /// common rows are orthonormal, so in float32 the right polar factor is <see cref="ExtendedRowsPolar"/>'s, from
    /// <paramref name="orthonormalCommon"/> (those rows made orthonormal in float64) and the task rows; where that
    /// route refuses (rows too close to rank deficient: the same eigenvalues would make <see cref="GramPolar"/> refuse
    /// too), the SVD's (<see cref="SingularFactors.Polar"/>). In float64 <see cref="SingularFactors.PolarOfColumns"/>
    /// of the transposed rows. When a common direction is dropped (a sum of lower rank) the general rebuild runs.
    /// </summary>
    private static torch.Tensor IsotropicRebuild(torch.Tensor u, torch.Tensor s, torch.Tensor vh, long common, torch.Tensor? orthonormalCommon)
    {
        using var scalars = new HeldScalars();
        var kept = s.gt(s.max().mul(scalars.Hold(1e-6))).to_type(s.dtype);
        long taskColumns = u.shape[1] - common;
        if (common == 0 || taskColumns == 0 || kept.narrow(0, 0, common).sum().ToDouble() != common)
            return SingularFactors.OrthogonalRebuild(u, s, vh);
        var commonU = u.narrow(1, 0, common);
        var tasksU = u.narrow(1, common, taskColumns).mul(kept.narrow(0, common, taskColumns).unsqueeze(0));
        tasksU = tasksU.sub(commonU.matmul(commonU.t().matmul(tasksU)));
        var polarU = torch.cat([commonU, SingularFactors.PolarOfColumns(tasksU)], 1);
        var rows = vh.mul(kept.unsqueeze(1));
        var polarVh = orthonormalCommon is null
            ? SingularFactors.PolarOfColumns(rows.t()).t()
            : ExtendedRowsPolar.Of(orthonormalCommon, rows.narrow(0, common, taskColumns)) ?? SingularFactors.Polar(rows);
        return polarU.mul(s.mul(kept).unsqueeze(0)).matmul(polarVh);
    }
}
