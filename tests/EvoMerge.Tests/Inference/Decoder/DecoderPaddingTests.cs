using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>Left- and right-padded batches give each row the logits it gets alone.</summary>
public sealed class DecoderPaddingTests
{
    [Theory]
    [InlineData("llama-gqa", true)]
    [InlineData("llama-gqa", false)]
    [InlineData("qwen3-qk-norm-head-dim", true)]
    [InlineData("qwen2-bias", false)]
    [InlineData("mistral-sliding-window", true)]
    [InlineData("mistral-sliding-window", false)]
    [InlineData("gemma-head-dim", true)]
    [InlineData("gemma2-softcap-window", true)]
    [InlineData("gemma2-softcap-window", false)]
    [InlineData("gemma3-local-rope", true)]
    [InlineData("gemma3-local-rope", false)]
    public void Padded_rows_match_unpadded_rows_at_real_positions(string model, bool padLeft)
    {
        using var directory = DecoderTestModels.Create(model);
        using var decoder = directory.Load();
        int[][] rows = [DecoderTestModels.Tokens(11, 64, 1), DecoderTestModels.Tokens(6, 64, 2), DecoderTestModels.Tokens(2, 64, 3)];
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
        Assert.All(batched, v => Assert.True(float.IsFinite(v)));

        for (int b = 0; b < rows.Length; b++)
        {
            float[] alone = decoder.Logits(torch.tensor(rows[b].Select(t => (long)t).ToArray(), [1, rows[b].Length])).data<float>().ToArray();
            int shift = padLeft ? width - rows[b].Length : 0;
            double worst = 0;
            for (int t = 0; t < rows[b].Length; t++)
            {
                for (int v = 0; v < 64; v++)
                    worst = Math.Max(worst, Math.Abs(batched[(b * width + shift + t) * 64 + v] - alone[t * 64 + v]));
            }
            Assert.True(worst <= 1e-5, $"{model}, row {b}, {(padLeft ? "left" : "right")} padding: max difference {worst:E2}");
        }
    }

    [Fact]
    public void Left_padding_positions_count_real_tokens_only()
    {
        using var directory = new TinyModelDirectory(DecoderTestModels.Spec("llama-gqa"));
        using var decoder = directory.Load();
        using var scope = torch.NewDisposeScope();
        int[] row = DecoderTestModels.Tokens(5, 64, 9);
        var padded = torch.tensor(new long[] { 0, 0, 0 }.Concat(row.Select(t => (long)t)).ToArray(), [1, 8]);
        var allOnes = torch.ones([1, 8], torch.ScalarType.Int64);
        var mask = torch.tensor(new long[] { 0, 0, 0, 1, 1, 1, 1, 1 }, [1, 8]);
        var alone = decoder.Logits(torch.tensor(row.Select(t => (long)t).ToArray(), [1, 5]));
        var masked = decoder.Logits(padded, mask).narrow(1, 3, 5);
        var unmasked = decoder.Logits(padded, allOnes).narrow(1, 3, 5);
        Assert.True((masked - alone).abs().max().item<float>() <= 1e-5);
        Assert.True((unmasked - alone).abs().max().item<float>() > 1e-3, "treating padding as tokens should change the logits");
    }
}
