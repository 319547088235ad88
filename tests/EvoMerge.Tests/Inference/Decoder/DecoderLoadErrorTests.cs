using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>Bad model directories fail to load with messages that name the file, field or tensor.</summary>
public sealed class DecoderLoadErrorTests
{
    [Fact]
    public void A_missing_tensor_names_the_model_directory_and_the_tensor()
    {
        using var directory = WriteWith(weights => weights.Where(w => w.Name != "model.layers.1.mlp.up_proj.weight").ToList());
        var error = Assert.Throws<SafetensorsFormatException>(() => directory.Load());
        Assert.Contains(directory.Path, error.Message);
        Assert.Contains("model.layers.1.mlp.up_proj.weight", error.Message);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void A_shape_mismatch_names_the_tensor_its_shape_and_the_expected_shape()
    {
        using var directory = WriteWith(weights => weights.Select(w => w.Name == "model.layers.0.self_attn.k_proj.weight"
            ? (w.Name, torch.zeros(8, 32))
            : w).ToList());
        var error = Assert.Throws<SafetensorsFormatException>(() => directory.Load());
        Assert.Contains("model.layers.0.self_attn.k_proj.weight", error.Message);
        Assert.Contains("[8, 32]", error.Message);
        Assert.Contains("expected [16, 32]", error.Message);
    }

    [Fact]
    public void A_vocab_size_larger_than_the_embedding_names_config_json_and_the_field()
    {
        using var directory = new TinyModelDirectory(new TinyDecoderSpec());
        directory.EditConfig(config => config["vocab_size"] = 100);
        var error = Assert.Throws<ModelConfigException>(() => directory.Load());
        Assert.Contains(directory.ConfigPath, error.Message);
        Assert.Contains("vocab_size", error.Message);
        Assert.Contains("64 rows", error.Message);
    }

    [Fact]
    public void An_unknown_model_type_names_config_json_and_model_type()
    {
        using var directory = new TinyModelDirectory(new TinyDecoderSpec());
        directory.EditConfig(config => config["model_type"] = "falcon");
        var error = Assert.Throws<ModelConfigException>(() => directory.Load());
        Assert.Contains(directory.ConfigPath, error.Message);
        Assert.Contains("model_type", error.Message);
        Assert.Contains("falcon", error.Message);
    }

    [Theory]
    [InlineData("{\"rope_type\": \"yarn\", \"factor\": 4.0}", "rope_scaling", "yarn")]
    [InlineData("{\"rope_type\": \"linear\"}", "rope_scaling.factor", "missing")]
    [InlineData("{\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0}", "rope_scaling.original_max_position_embeddings", "missing")]
    [InlineData("{\"factor\": 2.0}", "rope_scaling", "rope_type")]
    public void A_bad_rope_scaling_names_config_json_and_the_field(string ropeScaling, string field, string detail)
    {
        using var directory = new TinyModelDirectory(new TinyDecoderSpec());
        directory.EditConfig(config => config["rope_scaling"] = JsonNode.Parse(ropeScaling));
        var error = Assert.Throws<ModelConfigException>(() => directory.Load());
        Assert.Contains(directory.ConfigPath, error.Message);
        Assert.Contains($"'{field}'", error.Message);
        Assert.Contains(detail, error.Message);
    }

    [Theory]
    [InlineData("hidden_act", "\"gelu\"", "gelu")]
    [InlineData("mlp_bias", "true", "not supported")]
    [InlineData("attention_bias", "true", "o_proj")]
    [InlineData("use_sliding_window", "true", "not supported")]
    [InlineData("sliding_window", "-3", "positive")]
    public void An_unsupported_variant_names_config_json_and_the_field(string field, string json, string detail)
    {
        using var directory = new TinyModelDirectory(new TinyDecoderSpec
        {
            ModelType = field switch { "use_sliding_window" => "qwen3", "sliding_window" => "mistral", _ => "llama" },
        });
        directory.EditConfig(config => config[field] = JsonNode.Parse(json));
        var error = Assert.ThrowsAny<Exception>(() => directory.Load());
        Assert.True(error is ModelConfigException or SafetensorsFormatException, error.ToString());
        Assert.Contains(directory.ConfigPath, error.Message);
        Assert.Contains(field, error.Message);
        Assert.Contains(detail, error.Message);
    }

    [Fact]
    public void Bad_forward_inputs_are_errors()
    {
        using var directory = new TinyModelDirectory(new TinyDecoderSpec());
        using var decoder = directory.Load();
        using var scope = torch.NewDisposeScope();
        Assert.Contains("outside the vocabulary", Assert.Throws<ArgumentException>(() => decoder.Logits(torch.tensor(new long[] { 1, 64 }, [1, 2]))).Message);
        Assert.Contains("int64", Assert.Throws<ArgumentException>(() => decoder.Logits(torch.tensor(new int[] { 1, 2 }, [1, 2]))).Message);
        Assert.Contains("mask", Assert.Throws<ArgumentException>(() => decoder.Logits(torch.tensor(new long[] { 1, 2 }, [1, 2]), torch.ones(1, 3))).Message);
    }

    private static TinyModelDirectory WriteWith(Func<List<(string Name, torch.Tensor Tensor)>, List<(string Name, torch.Tensor Tensor)>> edit)
    {
        var spec = new TinyDecoderSpec();
        var directory = new TinyModelDirectory(spec);
        using var scope = torch.NewDisposeScope();
        var weights = TinyDecoderWriter.RandomWeights(spec, 1);
        File.Delete(Path.Combine(directory.Path, ModelWeights.SingleFileName));
        TinyDecoderWriter.Write(directory.Path, spec, edit(weights));
        return directory;
    }
}
