using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// task_arithmetic: <c>B + λ·Σ w_i·(X_i − B)</c>, divided by Σ w_i when <c>normalize</c> (default false). The
/// per-model density is declared (default 1) but ignored, as in mergekit. See <see cref="GeneralizedTaskArithmetic"/>.
/// </summary>
public sealed class TaskArithmeticMerge : IMergeMethod
{
    private readonly GeneralizedTaskArithmetic _engine =
        new("task_arithmetic", SignConsensus.None, sparsifier: null, normalizeByDefault: false, rescaleByDefault: false);

    /// <inheritdoc/>
    public string Name => "task_arithmetic";

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
