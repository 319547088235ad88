using EvoMerge.Evaluation;
using EvoMerge.Tensors;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace EvoMerge.Demo.Training;

/// <summary>
/// Picks the entries a sparse fine-tune may change (composable sparse fine-tuning, Ansell et al., ACL 2022): per
/// trainable tensor, the <c>density·numel</c> entries (rounded, at least one) with the largest gradient magnitude
/// summed over a few batches of the task's own data at the starting weights. Masks of different tasks overlap only
/// where the tasks need the same weights, so their task vectors add up with little interference.
/// </summary>
public static class SparseMaskSelection
{
    /// <summary>
    /// Sets a mask on <paramref name="constraints"/> for every non-frozen tensor of <paramref name="model"/> from
    /// <paramref name="batches"/> batches drawn with a generator seeded by <paramref name="seed"/>; the weights are unchanged.
    /// </summary>
    public static void ByGradientMagnitude(TrainableDecoder model, TrainingConstraints constraints, Func<SeededRandom, TrainingSequence> sample,
        int batches, int batchSize, long seed, double density, int padId)
    {
        if (density is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(density), density, "density must be in (0, 1]");
        var parameters = constraints.Trainable(model);
        var names = model.Parameters.Where(p => !constraints.Frozen.Contains(p.Key)).Select(p => p.Key).ToList();
        var totals = names.ToDictionary(n => n, n => torch.zeros_like(model.Parameters[n]).requires_grad_(false), StringComparer.Ordinal);
        try
        {
            var random = new SeededRandom((ulong)seed);
            for (int b = 0; b < batches; b++)
            {
                using var scope = torch.NewDisposeScope();
                foreach (var p in parameters) p.grad?.zero_();
                var batch = Enumerable.Range(0, batchSize).Select(_ => sample(random)).ToList();
                var (inputs, targets) = DecoderTrainer.Tensors(batch, padId);
                var logits = model.Logits(inputs);
                cross_entropy(logits.reshape(-1, logits.shape[2]), targets.reshape(-1), ignore_index: -100).backward();
                using var noGrad = torch.no_grad();
                foreach (string name in names)
                {
                    var grad = model.Parameters[name].grad;
                    if (grad is not null) totals[name].add_(grad.abs(), ScalarConstants.One);
                }
            }
            foreach (var p in parameters) p.grad?.zero_();
            foreach (string name in names) constraints.SetMask(name, TopEntries(totals[name], density));
        }
        finally
        {
            foreach (var t in totals.Values) t.Dispose();
        }
    }

    /// <summary>A bool mask shaped like <paramref name="scores"/> that is true at its <c>round(density·numel)</c> (≥ 1) largest entries.</summary>
    public static torch.Tensor TopEntries(torch.Tensor scores, double density)
    {
        using var scope = torch.NewDisposeScope();
        long count = scores.numel();
        long keep = Math.Clamp((long)Math.Round(density * count), 1, count);
        var flat = scores.detach().reshape(-1);
        var (_, indices) = flat.topk((int)keep, sorted: false);
        var mask = torch.zeros(count, dtype: torch.ScalarType.Bool).scatter_(0, indices, torch.ones(keep, dtype: torch.ScalarType.Bool));
        return mask.reshape(scores.shape).MoveToOuterDisposeScope();
    }
}
