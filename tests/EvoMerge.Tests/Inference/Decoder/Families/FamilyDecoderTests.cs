using EvoMerge.Inference;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace EvoMerge.Tests.Inference.Decoder.Families;

/// <summary>
/// Phi-3 and Mixtral in the decoder: logits against the independent float64 reference, padded batches against rows
/// alone, KV-cache generation against full recomputation, and the fused tensors' views following writes.
/// </summary>
public sealed class FamilyDecoderTests(ITestOutputHelper output)
{
    private const int Vocabulary = 64;

    public static TheoryData<string> Models => new(FamilyTestModels.Names);

    [Theory]
    [MemberData(nameof(Models))]
    public void Fp32_logits_match_the_float64_reference(string model)
    {
        using var directory = FamilyTestModels.Create(model);
        var reference = new Float64FamilyReference(directory.Path);
        using var decoder = directory.Load();
        // 12 tokens exceed phi3-longrope's original_max_position_embeddings (8) and the sliding windows (4); 5 do not.
        foreach (int length in new[] { 12, 5 })
        {
            int[] row = DecoderTestModels.Tokens(length, Vocabulary, length);
            double[][] expected = reference.Logits(row);
            float[] actual = Logits(decoder, row);
            double worst = 0, scale = 0;
            for (int t = 0; t < length; t++)
            {
                for (int v = 0; v < Vocabulary; v++)
                {
                    worst = Math.Max(worst, Math.Abs(actual[t * Vocabulary + v] - expected[t][v]));
                    scale = Math.Max(scale, Math.Abs(expected[t][v]));
                }
            }
            output.WriteLine($"{model}, {length} tokens: max abs difference {worst:E2}, max |logit| {scale:F2}");
            Assert.True(scale > 0.5, $"{model}: logits too small ({scale}) for the comparison to mean anything");
            Assert.True(worst <= 1e-4, $"{model}, {length} tokens: max |decoder − reference| = {worst:E2} > 1e-4");
        }
    }

    [Theory]
    [InlineData("phi3-longrope", true)]
    [InlineData("phi3-longrope", false)]
    [InlineData("phi3-sliding", true)]
    [InlineData("mixtral", true)]
    [InlineData("mixtral-sliding", false)]
    public void Padded_rows_match_unpadded_rows_at_real_positions(string model, bool padLeft)
    {
        using var directory = FamilyTestModels.Create(model);
        using var decoder = directory.Load();
        // 11 tokens take longrope's long factors, 6 and 2 the short ones, in the same batch.
        int[][] rows = [DecoderTestModels.Tokens(11, Vocabulary, 1), DecoderTestModels.Tokens(6, Vocabulary, 2), DecoderTestModels.Tokens(2, Vocabulary, 3)];
        int width = rows.Max(r => r.Length);
        using var scope = torch.NewDisposeScope();
        var ids = new long[rows.Length * width];
        var mask = new long[rows.Length * width];
        for (int b = 0; b < rows.Length; b++)
        {
            int offset = b * width + (padLeft ? width - rows[b].Length : 0);
            for (int t = 0; t < rows[b].Length; t++)
            {
                ids[offset + t] = rows[b][t];
                mask[offset + t] = 1;
            }
        }
        float[] batched = decoder.Logits(torch.tensor(ids, [rows.Length, width]), torch.tensor(mask, [rows.Length, width])).data<float>().ToArray();
        for (int b = 0; b < rows.Length; b++)
        {
            float[] alone = Logits(decoder, rows[b]);
            int shift = padLeft ? width - rows[b].Length : 0;
            double worst = 0;
            for (int t = 0; t < rows[b].Length; t++)
            {
                for (int v = 0; v < Vocabulary; v++)
                    worst = Math.Max(worst, Math.Abs(batched[(b * width + shift + t) * Vocabulary + v] - alone[t * Vocabulary + v]));
            }
            Assert.True(worst <= 1e-5, $"{model}, row {b}, {(padLeft ? "left" : "right")} padding: max difference {worst:E2}");
        }
    }

    /// <summary>phi3-longrope: prompts of 7, 3 and 1 tokens plus 12 new ones cross the switch to the long factors at 8.</summary>
    [Theory]
    [InlineData("phi3-longrope")]
    [InlineData("phi3-sliding")]
    [InlineData("mixtral")]
    [InlineData("mixtral-sliding")]
    public void Cached_generation_equals_argmax_of_full_recomputation(string model)
    {
        using var directory = FamilyTestModels.Create(model);
        using var decoder = directory.Load();
        int[][] prompts = [DecoderTestModels.Tokens(7, Vocabulary, 11), DecoderTestModels.Tokens(3, Vocabulary, 12), DecoderTestModels.Tokens(1, Vocabulary, 13)];
        var batched = decoder.Generate(prompts, maxNewTokens: 12);
        for (int b = 0; b < prompts.Length; b++)
        {
            Assert.Equal(batched[b], decoder.Generate(prompts[b], maxNewTokens: 12));
            var sequence = prompts[b].ToList();
            foreach (int token in batched[b])
            {
                float[] logits = Logits(decoder, sequence);
                int argmax = Enumerable.Range(0, Vocabulary).MaxBy(v => logits[(sequence.Count - 1) * Vocabulary + v]);
                Assert.Equal(argmax, token);
                sequence.Add(token);
            }
        }
    }

    [Theory]
    [InlineData("phi3-longrope", true)]
    [InlineData("phi3-longrope", false)]
    [InlineData("mixtral", true)]
    public void Batched_scores_equal_per_request_scores(string model, bool sharePrefixes)
    {
        using var directory = FamilyTestModels.Create(model);
        using var decoder = directory.Load();
        var random = new Random(3);
        int[] Tokens(int n) => Enumerable.Range(0, n).Select(_ => random.Next(Vocabulary)).ToArray();
        var requests = new List<LogLikelihoodRequest>();
        // Context 4 with continuations of 1, 5 and 2 stays within 8 tokens (shared); contexts 6 and 9 cross it.
        foreach (int contextLength in new[] { 4, 6, 9 })
        {
            int[] context = Tokens(contextLength);
            foreach (int length in new[] { 1, 5, 2 }) requests.Add(new LogLikelihoodRequest(context, Tokens(length)));
        }
        var results = decoder.LogLikelihood(requests, new LogLikelihoodOptions { TokenBudget = 24, SharePrefixes = sharePrefixes });
        for (int i = 0; i < requests.Count; i++)
        {
            // What lm-eval feeds the model: context + continuation[..^1] (its length picks longrope's factors).
            var tokens = requests[i].Context.Concat(requests[i].Continuation.SkipLast(1)).ToArray();
            float[] logits = Logits(decoder, tokens);
            double expected = 0;
            for (int j = 0; j < requests[i].Continuation.Count; j++)
            {
                var row = logits.AsSpan((requests[i].Context.Count - 1 + j) * Vocabulary, Vocabulary).ToArray();
                double max = row.Max(), logSum = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
                expected += row[requests[i].Continuation[j]] - logSum;
            }
            Assert.True(Math.Abs(results[i].LogLikelihood - expected) <= 1e-4, $"{model}, request {i}: batched {results[i].LogLikelihood} vs alone {expected}");
        }
    }

    [Theory]
    [InlineData("phi3-partial", "model.layers.1.self_attn.qkv_proj.weight")]
    [InlineData("phi3-partial", "model.layers.2.mlp.gate_up_proj.weight")]
    [InlineData("mixtral", "model.layers.1.block_sparse_moe.gate.weight")]
    public void Writing_into_a_parameter_changes_the_model_and_writing_it_back_restores_it(string model, string name)
    {
        using var directory = FamilyTestModels.Create(model);
        using var decoder = directory.Load();
        int[] row = DecoderTestModels.Tokens(9, Vocabulary, 4);
        float[] before = Logits(decoder, row);
        using var original = decoder.Parameters[name].clone();
        using (torch.no_grad()) decoder.Parameters[name].copy_(torch.randn_like(original));
        float[] changed = Logits(decoder, row);
        using (torch.no_grad()) decoder.Parameters[name].copy_(original);
        float[] restored = Logits(decoder, row);
        Assert.True(before.Zip(changed).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, $"{name}: writing new values did not change the logits");
        Assert.Equal(before, restored);
    }

    private static float[] Logits(DecoderModel decoder, IReadOnlyList<int> row)
    {
        using var scope = torch.NewDisposeScope();
        return decoder.Logits(torch.tensor(row.Select(t => (long)t).ToArray(), [1, row.Count])).data<float>().ToArray();
    }
}
