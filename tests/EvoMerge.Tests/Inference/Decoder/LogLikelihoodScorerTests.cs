using EvoMerge.Inference;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>Batched scoring against per-request log-softmax over full-sequence logits.</summary>
public sealed class LogLikelihoodScorerTests
{
    [Theory]
    [InlineData(4096, true, "qwen3-qk-norm-head-dim")]
    [InlineData(4096, false, "qwen3-qk-norm-head-dim")]
    [InlineData(20, true, "qwen3-qk-norm-head-dim")]
    [InlineData(20, false, "qwen3-qk-norm-head-dim")]
    [InlineData(4096, true, "gemma2-softcap-window")]
    [InlineData(20, true, "gemma2-softcap-window")]
    [InlineData(20, false, "gemma2-softcap-window")]
    [InlineData(4096, true, "gemma3-local-rope")]
    [InlineData(20, false, "gemma3-local-rope")]
    public void Batched_scores_equal_per_request_scores_in_request_order(int tokenBudget, bool sharePrefixes, string model)
    {
        using var directory = DecoderTestModels.Create(model);
        using var decoder = directory.Load();
        var requests = Workload(decoder);

        var results = decoder.LogLikelihood(requests, new LogLikelihoodOptions { TokenBudget = tokenBudget, SharePrefixes = sharePrefixes });

        Assert.Equal(requests.Count, results.Count);
        for (int i = 0; i < requests.Count; i++)
        {
            var (expected, greedy) = Unbatched(decoder, requests[i]);
            Assert.True(Math.Abs(results[i].LogLikelihood - expected) <= 1e-4,
                $"request {i}: batched {results[i].LogLikelihood} vs unbatched {expected}");
            Assert.Equal(greedy, results[i].IsGreedy);
        }
        Assert.Contains(results, r => r.IsGreedy);
        Assert.Contains(results, r => !r.IsGreedy);
    }

    [Fact]
    public void Empty_context_and_out_of_vocabulary_tokens_are_errors()
    {
        using var directory = new TinyModelDirectory(DecoderTestModels.Spec("llama-gqa"));
        using var decoder = directory.Load();
        var empty = Assert.Throws<ArgumentException>(() => decoder.LogLikelihood([new LogLikelihoodRequest([], [1])]));
        Assert.Contains("request 0", empty.Message);
        var outside = Assert.Throws<ArgumentException>(() => decoder.LogLikelihood([new LogLikelihoodRequest([1], [2]), new LogLikelihoodRequest([1], [64])]));
        Assert.Contains("request 1", outside.Message);
        Assert.Contains("64", outside.Message);
    }

    /// <summary>
    /// Multiple-choice groups (shared contexts of different lengths), single requests, one-token continuations, and
    /// one request per group whose continuation is the model's own greedy output.
    /// </summary>
    private static List<LogLikelihoodRequest> Workload(DecoderModel decoder)
    {
        var random = new Random(3);
        int[] Tokens(int n) => Enumerable.Range(0, n).Select(_ => random.Next(64)).ToArray();
        var requests = new List<LogLikelihoodRequest>();
        foreach (int contextLength in new[] { 9, 4, 14 })
        {
            int[] context = Tokens(contextLength);
            requests.Add(new LogLikelihoodRequest(context, decoder.Generate(context, 3).ToArray()));
            foreach (int length in new[] { 1, 5, 2 }) requests.Add(new LogLikelihoodRequest(context, Tokens(length)));
        }
        requests.Add(new LogLikelihoodRequest(Tokens(6), Tokens(1)));
        requests.Add(new LogLikelihoodRequest(Tokens(1), Tokens(7)));
        requests.Add(new LogLikelihoodRequest(Tokens(12), Tokens(3)));
        return requests.OrderBy(_ => random.Next()).ToList();
    }

    private static (double LogLikelihood, bool IsGreedy) Unbatched(DecoderModel decoder, LogLikelihoodRequest request)
    {
        using var scope = torch.NewDisposeScope();
        var tokens = request.Context.Concat(request.Continuation).Select(t => (long)t).ToArray();
        float[] logits = decoder.Logits(torch.tensor(tokens, [1, tokens.Length])).data<float>().ToArray();
        double total = 0;
        bool greedy = true;
        for (int j = 0; j < request.Continuation.Count; j++)
        {
            var row = logits.AsSpan((request.Context.Count - 1 + j) * 64, 64).ToArray().Select(v => (double)v).ToArray();
            double max = row.Max(), logSum = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
            int target = request.Continuation[j];
            total += row[target] - logSum;
            greedy &= Array.IndexOf(row, max) == target;
        }
        return (total, greedy);
    }
}
