using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Inference.Routed;

/// <summary>
/// One forward pass's routing weights arranged for the experts' updates: <see cref="Weights"/> <c>[U, experts]</c>
/// over routing units (the batch's rows for sequence routing, its tokens for token routing) and, unless
/// <see cref="Dense"/>, per expert the units that give it a non-zero weight: all of them (<see cref="UnitsOf"/> is
/// null), some (their indices), or none (<see cref="IsActive"/> is false, and the expert is not computed). Tensors
/// belong to the caller's dispose scope.
/// </summary>
internal sealed class ExpertRouting
{
    private readonly torch.Tensor?[] _units;
    private readonly bool[] _active;

    private ExpertRouting(torch.Tensor weights, bool dense, torch.Tensor?[] units, bool[] active)
    {
        Weights = weights;
        Dense = dense;
        _units = units;
        _active = active;
    }

    /// <summary>Routing weights <c>[U, experts]</c> in the compute dtype.</summary>
    public torch.Tensor Weights { get; }

    /// <summary>Routing units: batch rows (sequence routing) or batch tokens (token routing).</summary>
    public long Units => Weights.shape[0];

    /// <summary>True when every expert is computed on every unit in one stacked pass (every expert may have weight).</summary>
    public bool Dense { get; }

    /// <summary>False when no unit gives expert <paramref name="expert"/> weight (never for a dense routing).</summary>
    public bool IsActive(int expert) => Dense || _active[expert];

    /// <summary>The int64 indices of the units expert <paramref name="expert"/> acts on, or null for all of them.</summary>
    public torch.Tensor? UnitsOf(int expert) => _units[expert];

    /// <summary>
    /// The arrangement of routing weights <paramref name="weights"/> <c>[B, 1, experts]</c> (sequence) or
    /// <c>[B, T, experts]</c> (token). <paramref name="dense"/>: compute every expert everywhere (top_k = experts),
    /// so no unit selection is made.
    /// </summary>
    public static ExpertRouting Of(torch.Tensor weights, bool dense)
    {
        int experts = (int)weights.shape[^1];
        var flat = weights.reshape(-1, experts);
        var units = new torch.Tensor?[experts];
        var active = new bool[experts];
        if (dense) return new ExpertRouting(flat, dense: true, units, active);
        long count = flat.shape[0];
        var weighted = flat.ne(ScalarConstants.Zero);
        for (int s = 0; s < experts; s++)
        {
            var indices = weighted.select(1, s).nonzero().reshape(-1);
            long n = indices.shape[0];
            active[s] = n > 0;
            units[s] = n == 0 || n == count ? null : indices;
        }
        return new ExpertRouting(flat, dense: false, units, active);
    }
}
