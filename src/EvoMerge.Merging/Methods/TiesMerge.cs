using EvoMerge.Merging.Sparsification;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// ties (TIES-merging): trim each task vector to its top <c>floor(density·numel)</c> magnitudes
/// (<see cref="MagnitudeTrim"/>), elect a sign per element from the sum of weighted deltas (a negative weight flips
/// that model's vote), keep the agreeing weighted deltas and, with <c>normalize</c> (default true), divide by the
/// agreeing models' weight sum: <c>B + λ·Σ w_i m_i TopK(δ_i) / Σ w_i m_i</c>. Deviation: a density so small that
/// floor(density·numel) = 0 keeps the single largest element (mergekit raises). See
/// <see cref="GeneralizedTaskArithmetic"/>.
/// </summary>
public sealed class TiesMerge : IMergeMethod
{
    private readonly GeneralizedTaskArithmetic _engine =
        new("ties", SignConsensus.Sum, MagnitudeTrim.Instance, normalizeByDefault: true, rescaleByDefault: false);

    /// <inheritdoc/>
    public string Name => "ties";

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters => _engine.Parameters;

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Required;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, null);

    /// <inheritdoc/>
    public bool UsesRandomness => _engine.UsesRandomness;

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context) => _engine.Merge(context);
}
