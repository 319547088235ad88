using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>
/// esm's first level (inter-task): each task's projected rows A_t = P_tᵀΔ_t times (n_t / mean n)^p with n_t the norm of
/// the task's whole update projected on its full eigenbasis, which is ‖Δ_t‖_F, as in the authors' code (kiddo127/ESM,
/// ESM-ViT/src/utils/esm_utils.py: the norm of <c>principal_directions.T @ vec</c> over all d_out directions, taken
/// before the rows are cut to k), not the norm of the k kept rows.
/// </summary>
public sealed class EsmInterTaskTests
{
    /// <summary>
    /// Worked by hand (B = 0, G = I, p = 2, two tasks, 2 × 2, so k = 1). Δ_a = diag(2, 1): its shift Δ_aΔ_aᵀ = diag(4, 1)
    /// has top eigenvector e1, so A_a = [2, 0], while ‖Δ_a‖_F = √5. Δ_b = diag(0, 2): top eigenvector e2, A_b = [0, 2],
    /// ‖Δ_b‖_F = 2. With m = (√5 + 2)/2 the inter-task factors are f_a = 5/m² and f_b = 4/m² (ratio 5 : 4), the rows
    /// [2f_a, 0] and [0, 2f_b]; their column norms 2f_a and 2f_b (mean f_a + f_b = S) give the inter-dimension factors
    /// (2f_a/S)² and (2f_b/S)², so s = (8f_a³/S², 8f_b³/S²) on the unit rows e1, e2. The bases [e1, e2] and the rows are
    /// already orthonormal, so ΔW = diag(s) = diag(4000, 2048) / (81·(9 + 4√5)) ≈ diag(2.7520, 1.4090). The norms of the
    /// kept rows (2 and 2) would make every factor 1 and give diag(2, 2).
    /// </summary>
    [Fact]
    public void The_inter_task_factor_uses_the_whole_update_norm_as_worked_by_hand()
    {
        using var scope = torch.NewDisposeScope();
        var zero = torch.zeros([2, 2], dtype: torch.ScalarType.Float64);
        var a = torch.tensor(new double[] { 2, 0, 0, 1 }, [2, 2], torch.ScalarType.Float64);
        var b = torch.tensor(new double[] { 0, 0, 0, 2 }, [2, 2], torch.ScalarType.Float64);
        var identity = torch.eye(2, dtype: torch.ScalarType.Float64);
        var merge = MergeCase.For("esm").Base(zero).Model(a).Model(b).Global(("scaling_power", 2.0));
        merge.ProxyInputs = _ => identity;

        double denominator = 81 * (9 + 4 * Math.Sqrt(5));
        // float32 merge: about 7 significant digits.
        TensorAssert.Close([4000 / denominator, 0, 0, 2048 / denominator], merge.Merge(), 1e-6);
    }
}
