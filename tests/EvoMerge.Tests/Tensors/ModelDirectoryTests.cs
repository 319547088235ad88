using Xunit;
using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Tests.Tensors;

public class ModelDirectoryTests
{
    [Theory]
    [InlineData("llama")]
    [InlineData("mistral")]
    [InlineData("qwen2")]
    [InlineData("qwen3")]
    public void TinyModelsOfEverySupportedTypeValidate(string modelType)
    {
        using var dir = new TempDirectory();
        var spec = new TinyDecoderSpec { ModelType = modelType, HeadDim = modelType == "qwen3" ? 16 : null };
        TinyDecoderWriter.WriteRandom(dir.Path, spec, seed: 3);
        using var model = ModelDirectory.Open(dir.Path);
        model.Validate();
        Assert.Equal(modelType, model.Config.ModelType);
        Assert.Equal(model.Layout.ExpectedNames().Count(), model.Weights.Names.Count);
        Assert.Equal(modelType == "qwen2", model.Weights.Contains("model.layers.0.self_attn.q_proj.bias"));
        Assert.Equal(modelType == "qwen3", model.Weights.Contains("model.layers.1.self_attn.q_norm.weight"));
    }

    [Fact]
    public void SameSeedWritesTheSameBytes()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        TinyDecoderWriter.WriteRandom(a.Path, new TinyDecoderSpec(), seed: 9);
        TinyDecoderWriter.WriteRandom(b.Path, new TinyDecoderSpec(), seed: 9);
        Assert.Equal(File.ReadAllBytes(a.Combine("model.safetensors")), File.ReadAllBytes(b.Combine("model.safetensors")));
    }

    [Fact]
    public void MissingTensorIsReportedByName()
    {
        using var dir = new TempDirectory();
        var spec = new TinyDecoderSpec();
        var weights = TinyDecoderWriter.RandomWeights(spec, 1).Where(w => w.Name != "model.layers.1.mlp.up_proj.weight").ToList();
        TinyDecoderWriter.Write(dir.Path, spec, weights);
        using var model = ModelDirectory.Open(dir.Path);
        var error = Assert.Throws<SafetensorsFormatException>(model.Validate);
        Assert.Equal("model.layers.1.mlp.up_proj.weight", error.Tensor);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void ShapeMismatchWithConfigIsReported()
    {
        using var dir = new TempDirectory();
        var spec = new TinyDecoderSpec();
        var weights = TinyDecoderWriter.RandomWeights(spec, 1)
            .Select(w => w.Name == "model.layers.0.self_attn.k_proj.weight" ? (w.Name, torch.zeros(3, 32)) : w).ToList();
        TinyDecoderWriter.Write(dir.Path, spec, weights);
        using var model = ModelDirectory.Open(dir.Path);
        var error = Assert.Throws<SafetensorsFormatException>(model.Validate);
        Assert.Contains("model.layers.0.self_attn.k_proj.weight", error.Message);
        Assert.Contains("[3, 32]", error.Message);
        Assert.Contains("[16, 32]", error.Message);
    }

    [Fact]
    public void UnsupportedModelTypeNamesConfigAndField()
    {
        using var dir = new TempDirectory();
        var config = new TinyDecoderSpec().ToConfigJson();
        config["model_type"] = "gpt_neox";
        File.WriteAllText(dir.Combine("config.json"), config.ToJsonString());
        using var model = ModelDirectory.Open(dir.Path);
        var error = Assert.Throws<ModelConfigException>(() => model.Layout);
        Assert.Contains("config.json", error.Message);
        Assert.Contains("model_type", error.Message);
        Assert.Contains("gpt_neox", error.Message);
    }

    [Theory]
    [InlineData("hidden_size", "\"big\"", "must be an integer")]
    [InlineData("num_key_value_heads", "3", "must divide")]
    [InlineData("num_hidden_layers", "null", "is missing")]
    public void BadConfigFieldsAreNamed(string field, string json, string expected)
    {
        using var dir = new TempDirectory();
        var config = new TinyDecoderSpec().ToConfigJson();
        config[field] = JsonNode.Parse(json);
        File.WriteAllText(dir.Combine("config.json"), config.ToJsonString());
        var error = Assert.Throws<ModelConfigException>(() => ModelDirectory.Open(dir.Path));
        Assert.Contains(field, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void AuxiliaryFilesAreCopied()
    {
        using var src = new TempDirectory();
        using var dst = new TempDirectory();
        TinyDecoderWriter.WriteRandom(src.Path, new TinyDecoderSpec(), 1);
        File.WriteAllText(src.Combine("tokenizer.json"), "{}");
        File.WriteAllText(src.Combine("generation_config.json"), "{}");
        using var model = ModelDirectory.Open(src.Path);
        model.CopyAuxiliaryFilesTo(dst.Path);
        Assert.True(File.Exists(dst.Combine("tokenizer.json")));
        Assert.True(File.Exists(dst.Combine("generation_config.json")));
        Assert.False(File.Exists(dst.Combine("config.json")));
    }
}
