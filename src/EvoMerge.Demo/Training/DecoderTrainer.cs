using EvoMerge.Evaluation;
using EvoMerge.Tensors;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace EvoMerge.Demo.Training;

/// <summary>
/// Next-token training of a <see cref="TrainableDecoder"/> with AdamW (<see cref="AdamWOptimizer"/>). Each step draws
/// <see cref="TrainingSettings.BatchSize"/> sequences from a caller's sampler (fed one <see cref="SeededRandom"/>
/// seeded from the settings), right-pads them with the pad id and averages the cross-entropy over the
/// target positions. Optional <see cref="TrainingConstraints"/> freeze tensors, add an L2 pull toward the starting
/// weights and keep sparse fine-tunes inside their masks. With a reference model, anchored rows
/// (<see cref="TrainingSequence.Anchored"/>) add the mean KL(reference ‖ model) over their target positions instead
/// of cross-entropy. Deterministic on one thread: same settings, same sampler, same weights.
/// </summary>
public static class DecoderTrainer
{
    /// <summary>Trains in place; returns the mean cross-entropy of each step (without the L2 penalty).</summary>
    public static double[] Train(TrainableDecoder model, Func<SeededRandom, TrainingSequence> sample, TrainingSettings settings, int padId,
        Action<int, double>? progress = null, TrainingConstraints? constraints = null, TrainableDecoder? reference = null)
    {
        var random = new SeededRandom((ulong)settings.Seed);
        var parameters = constraints?.Trainable(model) ?? model.Parameters.Values.ToList();
        using var optimizer = new AdamWOptimizer(parameters, beta1: 0.9, beta2: 0.98, epsilon: 1e-8, weightDecay: settings.WeightDecay);
        var losses = new double[settings.Steps];
        for (int step = 0; step < settings.Steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var batch = Enumerable.Range(0, settings.BatchSize).Select(_ => sample(random)).ToList();
            bool anyAnchored = batch.Any(s => s.Anchored);
            if (reference is null && anyAnchored)
                throw new InvalidOperationException("anchored training rows need a reference model to be held to");
            var (inputs, targets) = Tensors(batch, padId);
            optimizer.ZeroGradients();
            var logits = model.Logits(inputs);
            var flat = logits.reshape(-1, logits.shape[2]);
            var loss = batch.Any(s => !s.Anchored) ? cross_entropy(flat, targets.reshape(-1), ignore_index: -100) : torch.zeros(1).squeeze();
            var objective = loss;
            if (reference is not null && anyAnchored)
                objective = objective.add(AnchorDivergence(reference, inputs, flat, batch), ScalarConstants.One);
            var penalty = constraints?.Penalty(model);
            (penalty is null ? objective : objective.add(penalty, ScalarConstants.One)).backward();
            constraints?.MaskGradients(model);
            torch.nn.utils.clip_grad_norm_(parameters, 1.0);
            optimizer.Step(settings.LearningRateAt(step));
            constraints?.Project(model);
            losses[step] = loss.item<float>();
            progress?.Invoke(step, losses[step]);
        }
        return losses;
    }

    /// <summary>Mean over the anchored rows' target positions of KL(reference ‖ model), the reference run without grad.</summary>
    private static torch.Tensor AnchorDivergence(TrainableDecoder reference, torch.Tensor inputs, torch.Tensor flatLogits, IReadOnlyList<TrainingSequence> batch)
    {
        long length = inputs.shape[1];
        var mask = new float[batch.Count * length];
        for (int b = 0; b < batch.Count; b++)
        {
            if (!batch[b].Anchored) continue;
            for (int t = Math.Max(0, batch[b].FirstTarget - 1); t < batch[b].Tokens.Length - 1; t++) mask[b * length + t] = 1f;
        }
        torch.Tensor referenceLogProbs;
        using (torch.no_grad())
        {
            var referenceLogits = reference.Logits(inputs);
            referenceLogProbs = log_softmax(referenceLogits.reshape(-1, referenceLogits.shape[2]), 1);
        }
        var logProbs = log_softmax(flatLogits, 1);
        var perPosition = (referenceLogProbs.exp() * (referenceLogProbs - logProbs)).sum(1);
        var weights = torch.tensor(mask);
        return (perPosition * weights).sum() / weights.sum().clamp_min(ScalarConstants.One);
    }

    /// <summary>Inputs <c>[B, L−1]</c> (padded with <paramref name="padId"/>) and targets (−100 where no cross-entropy is taken, anchored rows included).</summary>
    public static (torch.Tensor Inputs, torch.Tensor Targets) Tensors(IReadOnlyList<TrainingSequence> batch, int padId)
    {
        int length = batch.Max(s => s.Tokens.Length) - 1;
        var inputs = new long[batch.Count * length];
        var targets = new long[batch.Count * length];
        for (int b = 0; b < batch.Count; b++)
        {
            var tokens = batch[b].Tokens;
            for (int t = 0; t < length; t++)
            {
                bool real = t + 1 < tokens.Length;
                inputs[b * length + t] = t < tokens.Length ? tokens[t] : padId;
                targets[b * length + t] = real && !batch[b].Anchored && t + 1 >= batch[b].FirstTarget ? tokens[t + 1] : -100;
            }
        }
        return (torch.tensor(inputs, [batch.Count, length]), torch.tensor(targets, [batch.Count, length]));
    }
}
