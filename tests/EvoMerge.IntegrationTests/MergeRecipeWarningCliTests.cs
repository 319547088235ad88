using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge merge</c> as a child process on recipes as mergekit's tests write them: parameters the method
/// ignores are one warning line each (errors with <c>--strict</c>), and named or <c>auto</c> chat templates land
/// in the output's tokenizer_config.json.
/// </summary>
public class MergeRecipeWarningCliTests
{
    // mergekit's two-model slerp test: both models carry weight: 0.6, which slerp does not use.
    private const string Slerp = """
        models:
          - model: models/a
            parameters: {weight: 0.6}
          - model: models/b
            parameters: {weight: 0.6}
        merge_method: slerp
        base_model: models/a
        parameters: {t: 0.35}
        dtype: float32
        chat_template: llama3
        """;

    private const string X = "{% for message in messages %}{{ 'X:' + message['content'] }}{% endfor %}";
    private const string Y = "{% for message in messages %}{{ 'Y:' + message['content'] }}{% endfor %}";

    private static string WriteModels(TempDirectory dir, string recipeText)
    {
        var spec = new TinyDecoderSpec { Layers = 2, DType = torch.ScalarType.Float32 };
        foreach (var (name, seed, template) in new[] { ("base", 1, X), ("a", 2, Y), ("b", 3, X) })
        {
            TinyDecoderWriter.WriteRandom(dir.Combine("models", name), spec, seed);
            File.WriteAllText(dir.Combine("models", name, "tokenizer_config.json"), new JsonObject { ["chat_template"] = template }.ToJsonString());
        }
        string recipe = dir.Combine("recipe.yml");
        File.WriteAllText(recipe, recipeText);
        return recipe;
    }

    private static string[] Warnings(string stderr) =>
        [.. stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("evomerge: warning:", StringComparison.Ordinal))];

    [Fact]
    public void Unused_parameters_are_one_warning_line_each_from_merge_and_dry_run_and_the_named_template_is_written()
    {
        using var dir = new TempDirectory();
        string recipe = WriteModels(dir, Slerp);
        string output = dir.Combine("out");
        string[] expected =
        [
            $"evomerge: warning: {recipe}:10: chat_template 'llama3': mergekit's bundled llama3.jinja renders a newline after every <|eot_id|>; EvoMerge writes Meta's documented Llama 3 format, without it",
            $"evomerge: warning: {recipe}:3: 'weight' in models[0].parameters is not a parameter of slerp (its parameters: t); ignored, as mergekit does",
            $"evomerge: warning: {recipe}:5: 'weight' in models[1].parameters is not a parameter of slerp (its parameters: t); ignored, as mergekit does",
        ];

        var dry = CliRunner.Run("merge", recipe, output, "--dry-run");
        Assert.True(dry.ExitCode == 0, dry.Stderr);
        Assert.Equal(expected, Warnings(dry.Stderr));
        Assert.False(Directory.Exists(output));

        var merge = CliRunner.Run("merge", recipe, output);
        Assert.True(merge.ExitCode == 0, merge.Stderr);
        Assert.Equal(expected, Warnings(merge.Stderr));
        string template = (string)JsonNode.Parse(File.ReadAllText(Path.Combine(output, "tokenizer_config.json")))!["chat_template"]!;
        Assert.StartsWith("{% for message in messages %}{% if loop.first %}{{ bos_token }}{% endif %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'", template, StringComparison.Ordinal);
    }

    [Fact]
    public void Strict_makes_the_first_warning_a_one_line_error_naming_the_file_and_key_and_writes_nothing()
    {
        using var dir = new TempDirectory();
        string recipe = WriteModels(dir, """
            models:
              - model: models/a
                parameters: {weight: 0.5, densty: 0.5}
              - model: models/b
                parameters: {weight: 0.5, density: 0.5}
            merge_method: ties
            base_model: models/base
            """);
        string output = dir.Combine("out");

        var result = CliRunner.Run("merge", recipe, output, "--strict");
        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"evomerge: error: {recipe}:3: 'densty' in models[0].parameters is not a parameter of ties (did you mean 'density'?); refused by --strict", line);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Auto_writes_the_template_most_models_carry()
    {
        using var dir = new TempDirectory();
        string recipe = WriteModels(dir, """
            models:
              - model: models/a
                parameters: {weight: 0.5}
              - model: models/b
                parameters: {weight: 0.5}
            merge_method: task_arithmetic
            base_model: models/base
            chat_template: auto
            """);
        string output = dir.Combine("out");

        var result = CliRunner.Run("merge", recipe, output, "--strict");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Empty(Warnings(result.Stderr));
        Assert.Equal(X, (string)JsonNode.Parse(File.ReadAllText(Path.Combine(output, "tokenizer_config.json")))!["chat_template"]!);
    }
}
