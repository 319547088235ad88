using EvoMerge.Inference;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>KV-cache greedy generation against step-by-step full recomputation.</summary>
public sealed class GreedyGenerationTests
{
    [Theory]
    [InlineData("llama-gqa")]
    [InlineData("qwen3-qk-norm-head-dim")]
    [InlineData("qwen2-bias")]
    [InlineData("llama-rope-llama3")]
    [InlineData("mistral-sliding-window")]
    [InlineData("gemma-head-dim")]
    [InlineData("gemma2-softcap-window")]
    [InlineData("gemma3-local-rope")]
    public void Cached_generation_equals_argmax_of_full_recomputation(string model)
    {
        using var directory = DecoderTestModels.Create(model);
        using var decoder = directory.Load();
        int[][] prompts = [DecoderTestModels.Tokens(7, 64, 11), DecoderTestModels.Tokens(3, 64, 12), DecoderTestModels.Tokens(1, 64, 13)];

        var batched = decoder.Generate(prompts, maxNewTokens: 12);
        for (int b = 0; b < prompts.Length; b++)
        {
            Assert.Equal(12, batched[b].Count);
            Assert.Equal(batched[b], decoder.Generate(prompts[b], maxNewTokens: 12));
            var sequence = prompts[b].ToList();
            foreach (int token in batched[b])
            {
                Assert.Equal(FullRecomputationArgmax(decoder, sequence), token);
                sequence.Add(token);
            }
        }
    }

    [Fact]
    public void Generation_stops_after_the_token_the_predicate_accepts()
    {
        using var directory = new TinyModelDirectory(DecoderTestModels.Spec("llama-gqa"));
        using var decoder = directory.Load();
        int[] prompt = DecoderTestModels.Tokens(4, 64, 5);
        var free = decoder.Generate(prompt, maxNewTokens: 10);
        var stopped = decoder.Generate(prompt, maxNewTokens: 10, stop: generated => generated.Count == 3);
        Assert.Equal(free.Take(3), stopped);
        Assert.Empty(decoder.Generate(prompt, maxNewTokens: 0));
    }

    private static int FullRecomputationArgmax(DecoderModel decoder, List<int> sequence)
    {
        using var scope = torch.NewDisposeScope();
        var logits = decoder.Logits(torch.tensor(sequence.Select(t => (long)t).ToArray(), [1, sequence.Count]));
        return (int)logits[0, -1].argmax().item<long>();
    }
}
