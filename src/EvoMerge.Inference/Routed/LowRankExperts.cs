using EvoMerge.Tensors;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace EvoMerge.Inference.Routed;

/// <summary>
/// Every expert's low-rank update of one linear weight, stacked so the routed update Σ_s w_s · B_s(A_s x) is two
/// matmuls: <c>A</c> is the experts' A_s stacked by rows <c>[R, in]</c>, <c>B</c> their B_s side by side
/// <c>[out, R]</c> (R = Σ_s r_s), and <c>Expert</c> <c>[R]</c> names the expert of each of the R columns, so the
/// routing weights scale the middle activations column by column. Experts of rank 0 take no columns.
/// </summary>
internal sealed class LowRankExperts : IDisposable
{
    private readonly torch.Tensor _a;
    private readonly torch.Tensor _b;
    private readonly torch.Tensor _expert;

    /// <param name="a">Stacked A factors <c>[R, in]</c> (owned).</param>
    /// <param name="b">Stacked B factors <c>[out, R]</c> (owned).</param>
    /// <param name="expert">The expert of each column <c>[R]</c> int64 (owned).</param>
    public LowRankExperts(torch.Tensor a, torch.Tensor b, torch.Tensor expert)
    {
        _a = a;
        _b = b;
        _expert = expert;
    }

    /// <summary>Parameters of the factors (R · (in + out)).</summary>
    public long ParameterCount => _a.numel() + _b.numel();

    /// <summary>
    /// Adds the routed update to <paramref name="output"/> <c>[B, T, out]</c> in place, for input
    /// <paramref name="input"/> <c>[B, T, in]</c> and routing weights <paramref name="weights"/> <c>[B, 1, experts]</c>
    /// (sequence routing) or <c>[B, T, experts]</c> (token routing), in the compute dtype.
    /// </summary>
    public torch.Tensor AddTo(torch.Tensor output, torch.Tensor input, torch.Tensor weights)
    {
        var middle = linear(input, _a);
        middle.mul_(weights.index_select(-1, _expert));
        return output.add_(linear(middle, _b), ScalarConstants.One);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _expert.Dispose();
    }
}
