using EvoMerge.Inference;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>Writing into <see cref="DecoderModel.Parameters"/> in place is how merged weights reach the model.</summary>
public sealed class DecoderParametersTests
{
    [Theory]
    [InlineData("llama-gqa")]
    [InlineData("qwen3-tied")]
    [InlineData("qwen2-bias")]
    public void Copying_another_models_weights_into_the_parameters_gives_its_logits(string model)
    {
        var spec = DecoderTestModels.Spec(model);
        using var first = new TinyModelDirectory(spec, seed: 1);
        using var second = new TinyModelDirectory(spec, seed: 2);
        using var target = first.Load();
        using var source = second.Load();
        int[] row = DecoderTestModels.Tokens(10, 64, 8);
        var before = DecoderLogitsTests.Logits(target, [row]);

        Assert.Equal(source.Parameters.Keys.Order(), target.Parameters.Keys.Order());
        Assert.Equal(spec.TieWordEmbeddings, !target.Parameters.ContainsKey("lm_head.weight"));
        using (torch.no_grad())
        {
            foreach (var (name, tensor) in source.Parameters) target.Parameters[name].copy_(tensor);
        }

        var after = DecoderLogitsTests.Logits(target, [row]);
        var expected = DecoderLogitsTests.Logits(source, [row]);
        Assert.Equal(expected.Cast<float>(), after.Cast<float>());
        Assert.NotEqual(before.Cast<float>(), after.Cast<float>());
    }

    [Fact]
    public void A_model_built_from_in_memory_tensors_matches_the_loaded_model()
    {
        var spec = DecoderTestModels.Spec("qwen3-qk-norm-head-dim");
        using var directory = new TinyModelDirectory(spec);
        using var loaded = directory.Load();
        using var files = ModelDirectory.Open(directory.Path);
        var tensors = files.Weights.Names.ToDictionary(n => n, n => files.Weights.Load(n));
        try
        {
            using var built = DecoderModel.Create(DecoderWeights.FromTensors(files.Config, files.ConfigPath, tensors, torch.ScalarType.Float32));
            int[] row = DecoderTestModels.Tokens(9, 64, 2);
            Assert.Equal(DecoderLogitsTests.Logits(loaded, [row]).Cast<float>(), DecoderLogitsTests.Logits(built, [row]).Cast<float>());

            tensors.Remove("model.norm.weight", out var removed);
            removed!.Dispose();
            var error = Assert.Throws<SafetensorsFormatException>(() => DecoderWeights.FromTensors(files.Config, files.ConfigPath, tensors, torch.ScalarType.Float32));
            Assert.Contains("model.norm.weight", error.Message);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
