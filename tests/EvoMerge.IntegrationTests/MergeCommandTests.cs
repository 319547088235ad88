using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary><c>evomerge merge</c> as a child process on tiny models written by the test.</summary>
public class MergeCommandTests
{
    private const string Recipe = """
        # ties over two fine-tunes; paths are relative to this file's directory
        models:
          - model: ../models/a
            parameters: {weight: 0.7, density: 0.5}
          - model: "../models/b"
            parameters: {weight: [0.2, 0.6], density: 0.7}
        merge_method: ties
        base_model: ../models/base
        tokenizer_source: base
        dtype: float32
        out_dtype: float16
        """;

    private static readonly string[] TokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "generation_config.json"];

    private static string WriteModels(TempDirectory dir)
    {
        var spec = new TinyDecoderSpec { Layers = 2, DType = torch.ScalarType.Float16 };
        TinyDecoderWriter.WriteRandom(dir.Combine("models", "base"), spec, seed: 1);
        TinyDecoderWriter.WriteRandom(dir.Combine("models", "a"), spec, seed: 2);
        TinyDecoderWriter.WriteRandom(dir.Combine("models", "b"), spec, seed: 3);
        foreach (string file in TokenizerFiles)
            File.WriteAllText(dir.Combine("models", "base", file), $"{{\"file\": \"{file}\"}}\n");
        Directory.CreateDirectory(dir.Combine("recipes"));
        string recipe = dir.Combine("recipes", "ties.yml");
        File.WriteAllText(recipe, Recipe);
        return recipe;
    }

    [Fact]
    public void Merge_writes_the_model_directory_and_its_saved_recipe_reproduces_it_from_there()
    {
        using var dir = new TempDirectory();
        string recipe = WriteModels(dir);
        string output = dir.Combine("out", "merged");

        var first = CliRunner.Run("merge", recipe, output, "--max-shard-size", "40KB");
        Assert.True(first.ExitCode == 0, first.Stderr);
        var shards = Directory.GetFiles(output, "model-*.safetensors").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.True(shards.Length > 1, $"expected several shards, got {string.Join(", ", shards)}");
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors.index.json")));
        Assert.Contains("\"torch_dtype\": \"float16\"", File.ReadAllText(Path.Combine(output, "config.json")));
        foreach (string file in TokenizerFiles)
            Assert.Equal(File.ReadAllText(dir.Combine("models", "base", file)), File.ReadAllText(Path.Combine(output, file)));
        string saved = File.ReadAllText(Path.Combine(output, "evomerge_recipe.yml"));
        Assert.Contains("model: \"../../models/a\"", saved);
        Assert.Contains("base_model: \"../../models/base\"", saved);
        Assert.Contains("# ties over two fine-tunes", saved);

        // The saved recipe, read from the output directory, names the same models: a second merge is identical.
        string again = dir.Combine("again");
        var second = CliRunner.Run("merge", Path.Combine(output, "evomerge_recipe.yml"), again, "--max-shard-size", "40KB");
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal(shards, Directory.GetFiles(again, "model-*.safetensors").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
        foreach (string shard in shards)
            Assert.Equal(File.ReadAllBytes(Path.Combine(output, shard)), File.ReadAllBytes(Path.Combine(again, shard)));
        Assert.Equal(saved, File.ReadAllText(Path.Combine(again, "evomerge_recipe.yml")).Replace("\"../models/", "\"../../models/", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_model_directory_is_one_line_naming_the_recipe_and_exits_non_zero()
    {
        using var dir = new TempDirectory();
        string recipe = WriteModels(dir);
        File.WriteAllText(recipe, Recipe.Replace("../models/b", "../models/missing", StringComparison.Ordinal));
        string output = dir.Combine("out");

        var result = CliRunner.Run("merge", recipe, output);
        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("evomerge: error:", line);
        Assert.Contains("ties.yml", line);
        Assert.Contains("missing", line);
        Assert.False(Directory.Exists(output), "nothing is written for bad input");
    }

    [Fact]
    public void Allow_overwrite_into_a_symlink_to_an_input_is_refused_in_one_line_and_the_input_is_untouched()
    {
        using var dir = new TempDirectory();
        string recipe = WriteModels(dir);
        string input = dir.Combine("models", "a");
        var before = Directory.GetFiles(input).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        string link = dir.Combine("out-link");
        Directory.CreateSymbolicLink(link, input);

        var result = CliRunner.Run("merge", recipe, link, "--allow-overwrite");
        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"evomerge: error: {link}: the output directory (via {input}) resolves to the recipe's model '../models/a' at {input}; refusing to write over an input", line);
        var after = Directory.GetFiles(input).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (file, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[file]), $"{file} changed");
    }
}
