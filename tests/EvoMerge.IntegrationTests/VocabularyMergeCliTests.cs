using System.Text.Json.Nodes;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge merge</c> with <c>tokenizer_source: union</c> over a base-vocabulary model and a ChatML fine-tune (two
/// added tokens, two more embedding rows), then <c>evomerge tokenize</c> on the output and on the fine-tune: the same
/// ids; the ChatML rows of the output are the fine-tune's (only it has those tokens, so every task vector is zero there).
/// </summary>
public class VocabularyMergeCliTests
{
    private const string Recipe = """
        merge_method: task_arithmetic
        base_model: base
        models:
          - model: chat
            parameters: {weight: 0.5}
          - model: other
            parameters: {weight: 0.5}
        tokenizer_source: union
        """;

    private static void WriteModel(TempDirectory dir, string name, long seed, params string[] added)
    {
        string path = dir.Combine(name);
        var spec = new TinyDecoderSpec { Layers = 1, HiddenSize = 16, IntermediateSize = 24, Heads = 2, KeyValueHeads = 1, VocabSize = 258 + added.Length };
        TinyDecoderWriter.WriteRandom(path, spec, seed);
        ByteLevelTokenizerWriter.Write(path, []);
        string file = Path.Combine(path, "tokenizer.json");
        var root = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        for (int i = 0; i < added.Length; i++)
        {
            root["added_tokens"]!.AsArray().Add(new JsonObject
            {
                ["id"] = 258 + i, ["content"] = added[i], ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            });
        }
        File.WriteAllText(file, root.ToJsonString());
    }

    [Fact]
    public void A_union_merge_tokenizes_ChatML_text_as_the_fine_tune()
    {
        using var dir = new TempDirectory();
        WriteModel(dir, "base", 1);
        WriteModel(dir, "chat", 2, "<|im_start|>", "<|im_end|>");
        WriteModel(dir, "other", 3);
        File.WriteAllText(dir.Combine("recipe.yml"), Recipe);
        string output = dir.Combine("out");

        var merge = CliRunner.Run("merge", dir.Combine("recipe.yml"), output);
        Assert.True(merge.ExitCode == 0, merge.Stderr);
        const string text = "<|im_start|>user\nhi<|im_end|>";
        var fromOutput = CliRunner.Run("tokenize", output, text);
        var fromChat = CliRunner.Run("tokenize", dir.Combine("chat"), text);
        Assert.True(fromOutput.ExitCode == 0, fromOutput.Stderr);
        Assert.Equal("[258,117,115,101,114,10,104,105,259]", fromChat.Stdout.Trim());
        Assert.Equal(fromChat.Stdout, fromOutput.Stdout);

        using var chat = ModelWeights.Open(dir.Combine("chat"));
        using var merged = ModelWeights.Open(output);
        using var chatRows = chat.Load("model.embed_tokens.weight", torch.ScalarType.Float32);
        using var mergedRows = merged.Load("model.embed_tokens.weight", torch.ScalarType.Float32);
        Assert.Equal([260L, 16L], mergedRows.shape);
        using var difference = (mergedRows[258..260] - chatRows[258..260]).abs().max();
        Assert.True(difference.item<float>() < 1e-6f, $"ChatML rows differ from the fine-tune's by {difference.item<float>()}");
    }

    [Fact]
    public void A_token_source_naming_no_model_of_the_recipe_is_a_one_line_error()
    {
        using var dir = new TempDirectory();
        WriteModel(dir, "base", 1);
        File.WriteAllText(dir.Combine("recipe.yml"), "merge_method: linear\nmodels:\n  - model: base\n    parameters: {weight: 1}\ntokenizer:\n  tokens:\n    <x>: {source: nowhere}\n");
        var merge = CliRunner.Run("merge", dir.Combine("recipe.yml"), dir.Combine("out"));
        Assert.Equal(1, merge.ExitCode);
        Assert.Equal($"evomerge: error: {dir.Combine("recipe.yml")}:7: tokenizer.tokens['<x>'].source 'nowhere' is not a model of the recipe (base)", merge.Stderr.Trim());
        Assert.False(Directory.Exists(dir.Combine("out")));
    }
}
