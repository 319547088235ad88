using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge merge</c> as a child process on a recipe with keys mergekit ignores (a misspelt top-level key, an
/// unknown key under a model) and a density above 1: one warning line each from <c>merge</c> and <c>--dry-run</c>,
/// the merge is written; <c>--strict</c> refuses the first in one line and writes nothing.
/// </summary>
public class MergeUnknownKeyCliTests
{
    private const string Recipe = """
        models:
          - model: models/a
            parameters: {weight: 0.5, density: 1.5}
            note: tuned on chat
          - model: models/b
            parameters: {weight: 0.5, density: 0.5}
        merge_method: ties
        base_model: models/base
        dtpye: float16
        dtype: float32
        """;

    private static string Write(TempDirectory dir)
    {
        var spec = new TinyDecoderSpec { Layers = 2, DType = torch.ScalarType.Float32 };
        foreach (var (name, seed) in new[] { ("base", 1), ("a", 2), ("b", 3) }) TinyDecoderWriter.WriteRandom(dir.Combine("models", name), spec, seed);
        string recipe = dir.Combine("recipe.yml");
        File.WriteAllText(recipe, Recipe);
        return recipe;
    }

    private static string[] Warnings(string stderr) =>
        [.. stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("evomerge: warning:", StringComparison.Ordinal))];

    [Fact]
    public void Unknown_keys_and_a_density_above_1_are_one_warning_line_each_and_the_merge_is_written()
    {
        using var dir = new TempDirectory();
        string recipe = Write(dir);
        string output = dir.Combine("out");
        string[] expected =
        [
            $"evomerge: warning: {recipe}:4: unknown key 'note' in models[0] (its keys: model, parameters); ignored, as mergekit does",
            $"evomerge: warning: {recipe}:9: unknown key 'dtpye' in the top level (did you mean 'dtype'?); ignored, as mergekit does",
            $"evomerge: warning: {recipe}:3: models[0].parameters.density: 1.5 is above 1, the top of ties's 'density' (0, 1]; read as 1, as mergekit does",
        ];

        var dry = CliRunner.Run("merge", recipe, output, "--dry-run");
        Assert.True(dry.ExitCode == 0, dry.Stderr);
        Assert.Equal(expected, Warnings(dry.Stderr));
        Assert.False(Directory.Exists(output));

        var merge = CliRunner.Run("merge", recipe, output);
        Assert.True(merge.ExitCode == 0, merge.Stderr);
        Assert.Equal(expected, Warnings(merge.Stderr));
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));
    }

    [Fact]
    public void Strict_refuses_the_first_unknown_key_in_one_line_and_writes_nothing()
    {
        using var dir = new TempDirectory();
        string recipe = Write(dir);
        string output = dir.Combine("out");

        var result = CliRunner.Run("merge", recipe, output, "--strict");
        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"evomerge: error: {recipe}:4: unknown key 'note' in models[0] (its keys: model, parameters); refused by --strict", line);
        Assert.False(Directory.Exists(output));
    }
}
