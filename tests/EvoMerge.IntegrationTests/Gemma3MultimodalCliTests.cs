using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Demo;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// The text part of multimodal Gemma 3 checkpoints through the built CLI: a tiny gemma3_text specialist is repackaged
/// as a Gemma3ForConditionalGeneration checkpoint (config under <c>text_config</c>, tensors under either transformers
/// layout, plus vision tensors) and <c>eval</c> scores it as the text model it holds; a checkpoint without
/// <c>text_config</c> or without text tensors is a one-line error.
/// </summary>
public class Gemma3MultimodalCliTests
{
    private static TinySpecialists.Layout WriteGemma3TextModels(TempDirectory temp) =>
        TinySpecialists.Write(temp.Path, itemsPerTask: 12, spec: TinySpecialists.Spec with
        {
            ModelType = "gemma3_text", HeadDim = 8, TieWordEmbeddings = true,
            Extra = new JsonObject { ["sliding_window"] = 4, ["query_pre_attn_scalar"] = 8, ["sliding_window_pattern"] = 2 },
        });

    /// <summary>Writes <paramref name="textModel"/> as a multimodal gemma3 checkpoint whose text tensors are under <paramref name="prefix"/>.</summary>
    private static string WriteMultimodal(string textModel, string destination, string prefix)
    {
        Directory.CreateDirectory(destination);
        var text = JsonNode.Parse(File.ReadAllText(Path.Combine(textModel, "config.json")))!.AsObject();
        text.Remove("architectures");
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("Gemma3ForConditionalGeneration"),
            ["model_type"] = "gemma3",
            ["text_config"] = text,
            ["vision_config"] = new JsonObject { ["model_type"] = "siglip_vision_model", ["hidden_size"] = 8 },
            ["torch_dtype"] = "float32",
        };
        File.WriteAllText(Path.Combine(destination, "config.json"), config.ToJsonString());
        foreach (string file in Directory.GetFiles(textModel).Where(f => !f.EndsWith(".safetensors", StringComparison.Ordinal) && Path.GetFileName(f) != "config.json"))
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        using var weights = ModelWeights.Open(textModel);
        var tensors = weights.Names.Select(n => (Name: prefix + n["model.".Length..], Tensor: weights.Load(n))).ToList();
        tensors.Add(("vision_tower.vision_model.post_layernorm.weight", torch.ones(8)));
        tensors.Add(("multi_modal_projector.mm_input_projection_weight", torch.zeros(8, 32)));
        SafetensorsWriter.WriteModel(destination, tensors);
        foreach (var (_, t) in tensors) t.Dispose();
        return destination;
    }

    [Theory]
    [InlineData("language_model.model.")]
    [InlineData("model.language_model.")]
    public void Eval_scores_the_text_part_of_a_multimodal_gemma3_checkpoint(string prefix)
    {
        using var temp = new TempDirectory();
        var layout = WriteGemma3TextModels(temp);
        string multimodal = WriteMultimodal(layout.SpecialistA, temp.Combine("models", "a-multimodal"), prefix);

        // Task a's answers are specialist a's own predictions, so its text part inside the multimodal checkpoint scores 1.
        string results = temp.Combine("results.json");
        var eval = CliRunner.Run(TimeSpan.FromMinutes(3), "eval", multimodal, "--task", layout.TaskA, "--output", results);
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(results));
        Assert.Equal(1.0, json.RootElement.GetProperty("tasks")[0].GetProperty("metrics").GetProperty("acc").GetProperty("value").GetDouble());
    }

    [Fact]
    public void A_gemma3_checkpoint_without_text_config_or_text_tensors_is_a_one_line_error()
    {
        using var temp = new TempDirectory();
        var layout = WriteGemma3TextModels(temp);
        string noTextConfig = WriteMultimodal(layout.SpecialistA, temp.Combine("models", "no-text-config"), "language_model.model.");
        string configPath = Path.Combine(noTextConfig, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config.Remove("text_config");
        File.WriteAllText(configPath, config.ToJsonString());
        var eval = CliRunner.Run("eval", noTextConfig, "--task", layout.TaskA);
        Assert.Equal(1, eval.ExitCode);
        Assert.Equal($"evomerge: error: {configPath}: field 'text_config' is missing (gemma3 is multimodal; the decoder runs its text part)",
            Assert.Single(eval.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        string noText = WriteMultimodal(layout.SpecialistA, temp.Combine("models", "no-text-tensors"), "text_model.");
        var missing = CliRunner.Run("eval", noText, "--task", layout.TaskA);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"evomerge: error: {noText}: no text decoder tensors in this gemma3 checkpoint (none named language_model.model.* or model.language_model.*)",
            Assert.Single(missing.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
