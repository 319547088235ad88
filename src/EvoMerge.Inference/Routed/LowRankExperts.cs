using System.Runtime.CompilerServices;
using EvoMerge.Tensors;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace EvoMerge.Inference.Routed;

/// <summary>
/// Every expert's low-rank update of one linear weight, stacked so the routed update Σ_s w_s · B_s(A_s x) is two
/// matmuls: <c>A</c> is the experts' A_s stacked by rows <c>[R, in]</c>, <c>B</c> their B_s side by side
/// <c>[out, R]</c> (R = Σ_s r_s), and <c>Expert</c> <c>[R]</c> names the expert of each of the R columns, so the
/// routing weights scale the middle activations column by column. Experts of rank 0 take no columns. When top_k
/// leaves experts without weight (<see cref="ExpertRouting.Dense"/> false), each expert runs alone, on the routing
/// units that give it weight only, and an expert no unit weights is skipped.
/// </summary>
internal sealed class LowRankExperts : IDisposable
{
    private readonly torch.Tensor _a;
    private readonly torch.Tensor _b;
    private readonly torch.Tensor _expert;
    private readonly long[] _start;
    private readonly long[] _rank;
    private readonly StrongBox<long> _evaluations;

    /// <param name="a">Stacked A factors <c>[R, in]</c> (owned).</param>
    /// <param name="b">Stacked B factors <c>[out, R]</c> (owned).</param>
    /// <param name="expert">The expert of each column <c>[R]</c> int64, ascending (owned).</param>
    /// <param name="ranks">Each expert's rank (0: no factors here); they add up to R.</param>
    /// <param name="evaluations">Counts the expert updates computed, one per expert and routing unit (row or token), shared by a model's linears.</param>
    public LowRankExperts(torch.Tensor a, torch.Tensor b, torch.Tensor expert, IReadOnlyList<long> ranks, StrongBox<long> evaluations)
    {
        _a = a;
        _b = b;
        _expert = expert;
        _rank = [.. ranks];
        _start = new long[_rank.Length];
        for (int s = 1; s < _rank.Length; s++) _start[s] = _start[s - 1] + _rank[s - 1];
        _evaluations = evaluations;
    }

    /// <summary>Parameters of the factors (R · (in + out)).</summary>
    public long ParameterCount => _a.numel() + _b.numel();

    /// <summary>
    /// Adds the routed update to <paramref name="output"/> <c>[B, T, out]</c> (contiguous) in place, for input
    /// <paramref name="input"/> <c>[B, T, in]</c> and <paramref name="routing"/> (sequence routing: B units, token
    /// routing: B·T units).
    /// </summary>
    public torch.Tensor AddTo(torch.Tensor output, torch.Tensor input, ExpertRouting routing)
    {
        long units = routing.Units;
        if (units == 0 || input.numel() == 0) return output;
        var x = input.reshape(units, -1, input.shape[^1]);
        var y = output.view(units, -1, output.shape[^1]);
        if (routing.Dense)
        {
            var middle = linear(x, _a);
            middle.mul_(routing.Weights.index_select(-1, _expert).unsqueeze(1));
            y.add_(linear(middle, _b), ScalarConstants.One);
            Interlocked.Add(ref _evaluations.Value, units * _rank.Count(r => r > 0));
            return output;
        }
        for (int s = 0; s < _rank.Length; s++)
        {
            if (_rank[s] == 0 || !routing.IsActive(s)) continue;
            var a = _a.narrow(0, _start[s], _rank[s]);
            var b = _b.narrow(1, _start[s], _rank[s]);
            var weight = routing.Weights.select(1, s);
            if (routing.UnitsOf(s) is { } selected)
            {
                var middle = linear(x.index_select(0, selected), a);
                middle.mul_(weight.index_select(0, selected).view(-1, 1, 1));
                y.index_add_(0, selected, linear(middle, b), ScalarConstants.One);
                Interlocked.Add(ref _evaluations.Value, selected.shape[0]);
            }
            else
            {
                var middle = linear(x, a);
                middle.mul_(weight.view(-1, 1, 1));
                y.add_(linear(middle, b), ScalarConstants.One);
                Interlocked.Add(ref _evaluations.Value, units);
            }
        }
        return output;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _expert.Dispose();
    }
}
