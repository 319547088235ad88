using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Inference;

/// <summary>
/// Greedy decoding with a KV cache: prompts are left-padded into one batch and run once, then each step feeds the
/// previous argmax token of every row and appends its keys and values to the cache. A row stops after
/// <c>maxNewTokens</c> or after the token for which the stop predicate returns true; the batch stops when all have.
/// When a row may grow past the model's rotary table switch (Phi-3 longrope), where HF's Phi-3 drops its cache and
/// recomputes, every step runs the whole sequence without a cache instead.
/// </summary>
public sealed class GreedyGenerator(DecoderModel model)
{
    /// <summary>Generated tokens per prompt (without the prompt; including the token that met the stop predicate).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, int maxNewTokens, Func<IReadOnlyList<int>, bool>? stop = null)
    {
        if (maxNewTokens < 0) throw new ArgumentException($"maxNewTokens must not be negative (got {maxNewTokens})");
        for (int i = 0; i < prompts.Count; i++)
        {
            if (prompts[i].Count == 0) throw new ArgumentException($"prompt {i} is empty");
            if (prompts[i].Any(t => t < 0 || t >= model.Config.VocabSize))
                throw new ArgumentException($"prompt {i}: token id {prompts[i].First(t => t < 0 || t >= model.Config.VocabSize)} is outside the vocabulary (0 … {model.Config.VocabSize - 1})");
        }
        var generated = prompts.Select(_ => new List<int>()).ToArray();
        if (prompts.Count == 0 || maxNewTokens == 0) return generated;

        using var inference = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        int batch = prompts.Count, width = prompts.Max(p => p.Count);
        var ids = new long[batch * width];
        var mask = new bool[batch * (width + maxNewTokens)];
        for (int row = 0; row < batch; row++)
        {
            var prompt = prompts[row];
            int padding = width - prompt.Count;
            for (int j = 0; j < prompt.Count; j++) ids[row * width + padding + j] = prompt[j];
            Array.Fill(mask, true, row * (width + maxNewTokens) + padding, prompt.Count);
        }
        var keyMask = torch.tensor(mask, [batch, width + maxNewTokens]);
        var promptMask = keyMask.clone();
        var positions = DecoderModel.PositionIds(keyMask.narrow(1, 0, width));
        using var cache = model.CreateCache(batch, width + maxNewTokens - 1);
        var finished = new bool[batch];
        var input = torch.tensor(ids, [batch, width]);
        bool recompute = width + maxNewTokens - 1 > model.RotaryTableSwitchLength;
        var sequence = torch.zeros([batch, width + maxNewTokens], torch.ScalarType.Int64);
        sequence.narrow(1, 0, width).copy_(input);
        using var real = true.ToScalar();
        for (int step = 0; step < maxNewTokens; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            var stepMask = keyMask.narrow(1, 0, width + step);
            var hidden = recompute
                ? model.HiddenStates(sequence.narrow(1, 0, width + step), stepMask, DecoderModel.PositionIds(stepMask), cache: null, routeMask: promptMask.narrow(1, 0, width + step))
                : model.HiddenStates(input, stepMask, positions, cache);
            long[] next = model.HeadLogits(hidden.select(1, -1)).argmax(-1).data<long>().ToArray();
            sequence.select(1, width + step).copy_(torch.tensor(next));
            for (int row = 0; row < batch; row++)
            {
                if (finished[row]) continue;
                generated[row].Add((int)next[row]);
                finished[row] = stop?.Invoke(generated[row]) == true;
            }
            if (finished.All(f => f) || step == maxNewTokens - 1) break;
            keyMask.select(1, width + step).fill_(real);
            var (previousInput, previousPositions) = (input, positions);
            input = torch.tensor(next, [batch, 1]).MoveToOuterDisposeScope();
            positions = positions.narrow(1, positions.shape[1] - 1, 1).add(ScalarConstants.One, ScalarConstants.One).MoveToOuterDisposeScope();
            previousInput.Dispose();
            previousPositions.Dispose();
        }
        return generated;
    }
}
