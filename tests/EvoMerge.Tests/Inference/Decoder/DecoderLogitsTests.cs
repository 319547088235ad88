using EvoMerge.Inference;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>Decoder logits against the independent float64 reference, for every model type and rope scaling.</summary>
public sealed class DecoderLogitsTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models => new(DecoderTestModels.Names);

    [Theory]
    [MemberData(nameof(Models))]
    public void Fp32_logits_match_the_float64_reference(string model)
    {
        using var directory = DecoderTestModels.Create(model);
        var reference = new Float64ReferenceDecoder(directory.Path);
        using var decoder = directory.Load();

        // 12 tokens exceed the dynamic-rope model's max_position_embeddings (8), 5 do not.
        foreach (int length in new[] { 12, 5 })
        {
            int[][] rows = [DecoderTestModels.Tokens(length, 64, length), DecoderTestModels.Tokens(length, 64, length + 100)];
            float[,,] logits = Logits(decoder, rows);
            double worst = rows.Select((row, b) => MaxAbsDifference(logits, b, reference.Logits(row))).Max();
            output.WriteLine($"{model}, {length} tokens: max abs difference {worst:E2}");
            Assert.True(worst <= 1e-4, $"{model}, {length} tokens: max |decoder − reference| = {worst:E2} > 1e-4");
        }
    }

    /// <summary>
    /// bf16-stored weights computed in fp32 are in the theory above (llama-bf16, 1e-4). Computing in bf16 rounds every
    /// activation to an 8-bit mantissa, so that bound is relative to the logits' size.
    /// </summary>
    [Fact]
    public void Bf16_computation_stays_within_2_percent_of_the_float64_reference()
    {
        using var directory = new TinyModelDirectory(DecoderTestModels.Spec("llama-bf16"));
        var reference = new Float64ReferenceDecoder(directory.Path);
        using var decoder = directory.Load(torch.ScalarType.BFloat16);
        int[] row = DecoderTestModels.Tokens(12, 64, 3);
        double[][] expected = reference.Logits(row);
        double worst = MaxAbsDifference(Logits(decoder, [row]), 0, expected);
        double scale = expected.SelectMany(r => r).Max(Math.Abs);
        Assert.True(scale > 0.5, $"logits too small ({scale}) for the comparison to mean anything");
        output.WriteLine($"bf16 compute: max abs difference {worst:E2}, max |logit| {scale:F2}");
        Assert.True(worst <= 2e-2 * scale, $"bf16: max |decoder − reference| = {worst:E2} > 2e-2 × max |logit| ({scale:F2})");
    }

    [Fact]
    public void The_reference_comparison_detects_a_changed_weight()
    {
        using var directory = new TinyModelDirectory(DecoderTestModels.Spec("llama-gqa"));
        var reference = new Float64ReferenceDecoder(directory.Path);
        using var decoder = directory.Load();
        using (torch.no_grad()) decoder.Parameters["model.layers.1.self_attn.k_proj.weight"].mul_(1.01f);
        int[] row = DecoderTestModels.Tokens(12, 64, 1);
        Assert.True(MaxAbsDifference(Logits(decoder, [row]), 0, reference.Logits(row)) > 1e-3);
    }

    [Theory]
    [InlineData("llama-rope-linear")]
    [InlineData("llama-rope-dynamic")]
    [InlineData("llama-rope-llama3")]
    public void Each_rope_scaling_changes_the_logits_of_the_same_weights(string model)
    {
        var scaledSpec = DecoderTestModels.Spec(model);
        using var scaled = new TinyModelDirectory(scaledSpec);
        using var plain = new TinyModelDirectory(scaledSpec with { RopeScaling = null });
        using var scaledDecoder = scaled.Load();
        using var plainDecoder = plain.Load();
        int[] row = DecoderTestModels.Tokens(12, 64, 4);
        var plainLogits = Logits(plainDecoder, [row]);
        double[][] asExpected = Enumerable.Range(0, 12).Select(t => Enumerable.Range(0, 64).Select(v => (double)plainLogits[0, t, v]).ToArray()).ToArray();
        Assert.True(MaxAbsDifference(Logits(scaledDecoder, [row]), 0, asExpected) > 1e-3);
    }

    internal static float[,,] Logits(DecoderModel decoder, int[][] rows)
    {
        using var scope = torch.NewDisposeScope();
        var ids = torch.tensor(rows.SelectMany(r => r.Select(t => (long)t)).ToArray(), [rows.Length, rows[0].Length]);
        var logits = decoder.Logits(ids, null);
        Assert.Equal([rows.Length, rows[0].Length, 64L], logits.shape);
        Assert.Equal(torch.ScalarType.Float32, logits.dtype);
        var values = logits.data<float>().ToArray();
        var result = new float[rows.Length, rows[0].Length, 64];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }

    internal static double MaxAbsDifference(float[,,] logits, int row, double[][] expected)
    {
        double worst = 0;
        for (int t = 0; t < expected.Length; t++)
        {
            for (int v = 0; v < expected[t].Length; v++) worst = Math.Max(worst, Math.Abs(logits[row, t, v] - expected[t][v]));
        }
        return worst;
    }
}
