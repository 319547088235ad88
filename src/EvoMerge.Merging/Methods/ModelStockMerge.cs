using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// model_stock: interpolates between the base and the models' average by a ratio from the angle between their task
/// vectors. With offsets d_i = X_i − B (flattened; with <c>filter_wise</c> one vector per row of the last dimension, as
/// mergekit's norms and sums over dim −1: a 4-D convolution kernel [o, i, h, w] has o·i·h vectors of w; a 1-D tensor
/// is one row), c is the mean over pairs i &lt; j of <c>clamp(d_i·d_j / max(‖d_i‖‖d_j‖, 1e-6), −1, 1)</c>, N the number of
/// models, <c>t = N·c / (1 + (N − 1)·c)</c> (not clamped: it can be negative or above 1), and the output
/// <c>t·mean(X) + (1 − t)·B</c>. Cosines and t are computed in float32; the mean is summed in the inputs' dtype.
/// Deviation: at the pole c = −1/(N − 1) mergekit produces inf/NaN; EvoMerge raises an error naming the tensor.
/// </summary>
public sealed class ModelStockMerge : IMergeMethod
{
    /// <inheritdoc/>
    public string Name => "model_stock";

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } = [MergeParameter.Flag("filter_wise", false)];

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Required;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (2, null);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var baseInput = context.RequireBase("model_stock");
        int n = context.Models.Count;
        if (n < 2)
            throw MergeException.ForTensor(context.TensorName, $"model_stock needs at least two models besides the base, got {n}");
        bool filterWise = ParameterLookup.GlobalFlag(context, "filter_wise");

        var aligned = InputAlignment.ToCommonShape(context, context.AllInputs);
        var b = aligned[0];
        var models = aligned.Skip(1).ToArray();
        long rows = filterWise && b.dim() >= 2 ? b.numel() / b.shape[^1] : 1;
        var offsets = models.Select(x => (x - b).to(torch.ScalarType.Float32).reshape(rows, -1)).ToArray();
        var norms = offsets.Select(d => d.norm(-1)).ToArray();

        var cosineSum = torch.zeros(rows);
        int pairs = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                var dot = (offsets[i] * offsets[j]).sum(-1);
                cosineSum.add_((dot / (norms[i] * norms[j]).clamp_min(scalars.Hold(1e-6))).clamp(scalars.Hold(-1.0), scalars.Hold(1.0)), ScalarConstants.One);
                pairs++;
            }
        }
        var c = cosineSum / scalars.Hold(pairs);
        var denominator = (c * scalars.Hold(n - 1)).add(scalars.Hold(1.0), ScalarConstants.One);
        if (denominator.abs().lt(scalars.Hold(1e-12)).any().ToBoolean())
            throw MergeException.ForTensor(context.TensorName,
                $"model_stock: the mean pairwise cosine of the task vectors is −1/(N−1) (N = {n}), where t = N·c/(1 + (N−1)·c) has a pole");
        var t = (c * scalars.Hold(n) / denominator).to(b.dtype);
        if (filterWise && b.dim() >= 2)
            t = t.reshape([.. b.shape[..^1], 1L]);
        else
            t = t.reshape([]);

        var mean = models[0].clone();
        foreach (var x in models.Skip(1))
            mean.add_(x, ScalarConstants.One);
        mean.div_(scalars.Hold(n));
        return (t * mean).add((-t).add(scalars.Hold(1.0), ScalarConstants.One) * b, ScalarConstants.One).MoveToOuterDisposeScope();
    }
}
