using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// arcee_fusion: takes the other model's value (b) over the base's (a) where it matters most. Per row (last
/// dimension) <c>kl = Σ p·log(p/q)</c> with <c>p = softmax(b) + 1e-8</c>, <c>q = softmax(a) + 1e-8</c>;
/// <c>importance = |b − a|·kl</c>; threshold <c>median + 1.5·(Q3 − Q1)</c> of the importances, each quantile q being
/// the sorted value at <c>floor(q·(n − 1))</c>; output <c>a + (importance ≥ threshold)·(b − a)</c>. Importances are
/// computed in float32. Deviation: the quantiles are exact over every element (by k-th value selection), where
/// mergekit uses a random 1e6-element subsample for larger tensors; so this method draws no random numbers.
/// </summary>
public sealed class ArceeFusionMerge : IMergeMethod
{
    /// <inheritdoc/>
    public string Name => "arcee_fusion";

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } = [];

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Required;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, 1);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <inheritdoc/>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var (baseInput, other) = context.RequireBaseAndOneModel("arcee_fusion");
        var aligned = InputAlignment.ToCommonShape(context, [baseInput, other]);
        var a = aligned[0];
        var b = aligned[1];

        var importance = Importance(a, b).reshape(-1);
        double median = Quantile(importance, 0.5);
        double threshold = median + 1.5 * (Quantile(importance, 0.75) - Quantile(importance, 0.25));
        var take = importance.ge(scalars.Hold(threshold)).view(a.shape);
        return a.add((b - a) * take, ScalarConstants.One).MoveToOuterDisposeScope();
    }

    /// <summary><c>|b − a|·KL(softmax(b) ‖ softmax(a))</c> per row, in float32, of a's shape.</summary>
    public static torch.Tensor Importance(torch.Tensor a, torch.Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var af = a.to(torch.ScalarType.Float32);
        var bf = b.to(torch.ScalarType.Float32);
        if (af.dim() == 0)
        {
            af = af.reshape(1);
            bf = bf.reshape(1);
        }
        var epsilon = scalars.Hold(1e-8);
        var p = bf.softmax(-1).add(epsilon, ScalarConstants.One);
        var q = af.softmax(-1).add(epsilon, ScalarConstants.One);
        var kl = (p * (p / q).log()).sum(-1, keepdim: true);
        return ((bf - af).abs() * kl).view(a.shape).MoveToOuterDisposeScope();
    }

    /// <summary>The sorted value at index <c>floor(q·(n − 1))</c> of a flat tensor.</summary>
    public static double Quantile(torch.Tensor flat, double q)
    {
        using var scope = torch.NewDisposeScope();
        long index = (long)Math.Floor(q * (flat.numel() - 1));
        var (values, _) = flat.kthvalue(index + 1, 0);
        return values.ToDouble();
    }
}
