using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// The RAM family's merge (ram, ramplus_tl): with task vectors δ_i = X_i − B, an entry is active in model i when
/// |δ_i| &gt; epsilon; each element gets the mean of its active entries (the single active one where only one model
/// changed it, nothing where none did). ramplus_tl multiplies a model's unique entries (active in it alone) by a
/// per-model boost.
/// </summary>
internal static class ActiveDeltaMean
{
    /// <summary>How a model's unique entries are boosted: <c>λ_i</c> from its shared and unique active counts.</summary>
    public delegate double UniqueBoost(long sharedActive, long uniqueActive);

    /// <summary>Merges one tensor; <paramref name="boost"/> null means no boost (ram).</summary>
    public static torch.Tensor Merge(MergeContext context, string method, double epsilon, UniqueBoost? boost)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var baseInput = context.RequireBase(method);
        if (context.Models.Count == 0)
            return baseInput.Tensor.clone().MoveToOuterDisposeScope();

        var aligned = InputAlignment.ToCommonShape(context, context.AllInputs);
        var b = aligned[0];
        var deltas = aligned.Skip(1).Select(x => x - b).ToArray();
        var active = deltas.Select(d => d.abs().gt(scalars.Hold(epsilon))).ToArray();
        var activeCount = torch.zeros(b.shape, torch.ScalarType.Int32);
        foreach (var a in active)
            activeCount.add_(a, ScalarConstants.One);

        var sum = new StackSum(b.dtype);
        if (boost is null)
        {
            for (int i = 0; i < deltas.Length; i++)
                sum.AddOwned(deltas[i].mul_(active[i]));
        }
        else
        {
            var unique = activeCount.eq(scalars.Hold(1.0));
            var shared = activeCount.gt(scalars.Hold(1.0));
            for (int i = 0; i < deltas.Length; i++)
            {
                long uniqueActive = active[i].logical_and(unique).sum().ToInt64();
                long sharedActive = active[i].logical_and(shared).sum().ToInt64();
                double lambda = boost(sharedActive, uniqueActive);
                var scale = torch.where(unique, torch.tensor(lambda, b.dtype), torch.tensor(1.0, b.dtype));
                sum.AddOwned(deltas[i].mul_(active[i]).mul_(scale));
            }
        }
        var merged = sum.Result().div_(activeCount.clamp_min(scalars.Hold(1.0)));
        return b.add(merged, ScalarConstants.One).MoveToOuterDisposeScope();
    }
}
