using System.Text.Json.Nodes;
using EvoMerge.Inference;
using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>
/// The text part of multimodal gemma3 checkpoints: the text config over Gemma3TextConfig's defaults (values from
/// transformers' configuration_gemma3.py), and the float64 reference case repackaged in transformers ≥ 4.52's tensor
/// names (<c>model.language_model.*</c>, head <c>lm_head.weight</c>) scored within 2e-3 of the reference.
/// </summary>
public sealed class MultimodalTextPartTests
{
    [Fact]
    public void A_sparse_text_config_takes_gemma3_text_defaults()
    {
        // google/gemma-3-4b-it's text_config gives only these; Gemma3TextConfig supplies the rest.
        var root = new JsonObject
        {
            ["model_type"] = "gemma3",
            ["text_config"] = new JsonObject { ["hidden_size"] = 2560, ["intermediate_size"] = 10240, ["num_hidden_layers"] = 34, ["sliding_window"] = 1024 },
        };
        var text = MultimodalTextPart.TextConfig(ModelConfig.FromJson(root, "config.json"), "config.json");
        Assert.Equal("gemma3_text", text.ModelType);
        Assert.Equal((2560, 10240, 34), (text.HiddenSize, text.IntermediateSize, text.NumHiddenLayers));
        Assert.Equal((8, 4, 256, 262_208), (text.NumAttentionHeads, text.NumKeyValueHeads, text.HeadDim, text.VocabSize));
        Assert.Equal(1e6, text.RopeTheta);
        Assert.True(text.TieWordEmbeddings);
        var gemma = GemmaFamilyConfig.Read(text, "config.json")!;
        Assert.Equal(1.0 / 16, gemma.AttentionScale);
        Assert.Equal(1024, gemma.SlidingWindow);
        Assert.Equal(10_000.0, gemma.LocalRopeTheta);
        Assert.Equal(Enumerable.Range(0, 34).Select(i => (i + 1) % 6 != 0), gemma.SlidingLayers);
    }

    [Fact]
    public void A_gemma3_config_without_text_config_is_an_error_naming_the_field()
    {
        var root = new JsonObject { ["model_type"] = "gemma3", ["hidden_size"] = 32 };
        var error = Assert.Throws<ModelConfigException>(() => MultimodalTextPart.TextConfig(ModelConfig.FromJson(root, "config.json"), "config.json"));
        Assert.Equal("config.json: field 'text_config' is missing (gemma3 is multimodal; the decoder runs its text part)", error.Message);
    }

    [Fact]
    public void The_reference_case_in_the_newer_tensor_names_matches_the_float64_reference()
    {
        var reference = DecoderReferenceCase.Load("gemma3-multimodal");
        using var temp = new TempDirectory("evomerge-gemma3-multimodal");
        File.Copy(Path.Combine(reference.Directory, "config.json"), temp.Combine("config.json"));
        using (var weights = ModelWeights.Open(reference.Directory))
        {
            var renamed = weights.Names.Select(n => (Name: n.StartsWith("language_model.model.", StringComparison.Ordinal)
                ? "model.language_model." + n["language_model.model.".Length..] : n, Tensor: weights.Load(n))).ToList();
            Assert.Contains(renamed, t => t.Name == "model.language_model.layers.3.self_attn.q_norm.weight");
            SafetensorsWriter.WriteModel(temp.Path, renamed);
            foreach (var (_, t) in renamed) t.Dispose();
        }

        using var directory = ModelDirectory.Open(temp.Path);
        using var decoder = DecoderModel.Load(directory);
        Assert.Equal("gemma3_text", decoder.Config.ModelType);
        var results = decoder.LogLikelihood(reference.Requests);
        for (int i = 0; i < results.Count; i++)
        {
            Assert.True(Math.Abs(results[i].LogLikelihood - reference.LogLikelihoods[i]) <= 2e-3, $"request {i}: {results[i].LogLikelihood} vs {reference.LogLikelihoods[i]}");
            Assert.Equal(reference.Greedy[i], results[i].IsGreedy);
        }
    }
}
