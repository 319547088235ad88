using System.Text.Json.Nodes;
using EvoMerge.Inference;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>
/// Gemma's pieces on hand-worked values (expected numbers from the formulas in float64, and PyTorch 1.13's
/// <c>gelu(approximate='tanh')</c>), and each Gemma config field changing the decoder's logits while the decoder still
/// matches the float64 reference: a decoder that ignored the field would fail one or the other.
/// </summary>
public sealed class GemmaArithmeticTests
{
    [Fact]
    public void Gemma_rms_norm_scales_by_one_plus_the_weight()
    {
        using var scope = torch.NewDisposeScope();
        // x / sqrt(mean(x²)) = x / sqrt(7.5), times (1 + w) = (1, 1.5, 0, 2).
        var result = GemmaRmsNorm.Apply(torch.tensor(new float[] { 1, 2, 3, 4 }), torch.tensor(new float[] { 0, 0.5f, -1, 1 }), 1e-6).data<float>().ToArray();
        double[] expected = [0.3651483716701107, 1.0954451150103321, 0.0, 2.9211869733608857];
        for (int i = 0; i < 4; i++) Assert.True(Math.Abs(result[i] - expected[i]) < 1e-6, $"element {i}: {result[i]} vs {expected[i]}");
        Assert.Equal(torch.ScalarType.BFloat16, GemmaRmsNorm.Apply(torch.ones(4, torch.ScalarType.BFloat16), torch.zeros(4, torch.ScalarType.BFloat16), 1e-6).dtype);
    }

    [Fact]
    public void Softcap_is_cap_times_tanh_of_x_over_cap()
    {
        using var scope = torch.NewDisposeScope();
        var capped = DecoderVariant.Softcap(torch.tensor(new float[] { 0, 30, -60, 3 }), 30).data<float>().ToArray();
        double[] expected = [0.0, 22.847824678672946, -28.920827402274508, 2.9900398387486744];
        for (int i = 0; i < 4; i++) Assert.True(Math.Abs(capped[i] - expected[i]) < 1e-5, $"element {i}: {capped[i]} vs {expected[i]}");
    }

    [Fact]
    public void Gemma_activation_is_the_tanh_gelu()
    {
        using var scope = torch.NewDisposeScope();
        var config = ModelConfig.FromJson(DecoderTestModels.Spec("gemma-head-dim").ToConfigJson(), "m/config.json");
        var activated = DecoderVariant.FromConfig(config, "m/config.json").Activate(torch.tensor(new float[] { -3, -1, 0, 0.5f, 1, 3 })).data<float>().ToArray();
        double[] expected = [-0.0036373920817729943, -0.15880800939172324, 0.0, 0.34571400982514394, 0.8411919906082768, 2.996362607918227];
        for (int i = 0; i < 6; i++) Assert.True(Math.Abs(activated[i] - expected[i]) < 1e-6, $"element {i}: {activated[i]} vs {expected[i]}");
    }

    [Fact]
    public void Final_softcapping_bounds_every_logit()
    {
        using var directory = DecoderTestModels.Create("gemma2-softcap-window");
        using var decoder = directory.Load();
        var logits = DecoderLogitsTests.Logits(decoder, [DecoderTestModels.Tokens(12, 64, 5)]);
        float largest = logits.Cast<float>().Max(Math.Abs);
        Assert.True(largest <= 2.5f && largest > 1.5f, $"largest |logit| {largest} should be capped below 2.5 (and the cap should bite)");
    }

    [Theory]
    [InlineData("gemma2-softcap-window", "attn_logit_softcapping", "50.0")]
    [InlineData("gemma2-softcap-window", "final_logit_softcapping", "null")]
    [InlineData("gemma2-softcap-window", "query_pre_attn_scalar", "12")]
    [InlineData("gemma2-softcap-window", "sliding_window", "16")]
    [InlineData("gemma2-softcap-window", "layer_types", """["full_attention", "sliding_attention", "full_attention"]""")]
    [InlineData("gemma3-local-rope", "rope_local_base_freq", "10000.0")]
    [InlineData("gemma3-local-rope", "rope_theta", "10000.0")]
    [InlineData("gemma3-local-rope", "rope_scaling", "null")]
    [InlineData("gemma3-local-rope", "sliding_window_pattern", "3")]
    [InlineData("gemma3-local-rope", "sliding_window", "16")]
    [InlineData("gemma3-local-rope", "attn_logit_softcapping", "3.0")]
    [InlineData("gemma-head-dim", "rms_norm_eps", "0.5")]
    public void Each_gemma_field_changes_the_logits_and_the_decoder_still_matches_the_reference(string model, string field, string json)
    {
        int[] row = DecoderTestModels.Tokens(12, 64, 8);
        using var original = DecoderTestModels.Create(model);
        using var originalDecoder = original.Load();
        var before = DecoderLogitsTests.Logits(originalDecoder, [row]);

        using var edited = DecoderTestModels.Create(model);
        edited.EditConfig(config => config[field] = JsonNode.Parse(json));
        using var editedDecoder = edited.Load();
        var after = DecoderLogitsTests.Logits(editedDecoder, [row]);
        double[][] beforeAsExpected = Enumerable.Range(0, 12).Select(t => Enumerable.Range(0, 64).Select(v => (double)before[0, t, v]).ToArray()).ToArray();
        Assert.True(DecoderLogitsTests.MaxAbsDifference(after, 0, beforeAsExpected) > 1e-3, $"{field} = {json} did not change the logits");
        double worst = DecoderLogitsTests.MaxAbsDifference(after, 0, new Float64ReferenceDecoder(edited.Path).Logits(row));
        Assert.True(worst <= 1e-4, $"{model} with {field} = {json}: max |decoder − reference| = {worst:E2}");
    }
}
