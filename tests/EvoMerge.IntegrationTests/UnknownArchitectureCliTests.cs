using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// Model types outside the architecture catalog through the CLI: the standard <c>model.layers.N.</c> layout and any other
/// layout (inferred from the tensor names as mergekit's auto.py does) merge with a one-line warning, which
/// <c>--strict</c> makes a one-line error; a family that only merges is refused by <c>eval</c>.
/// </summary>
public class UnknownArchitectureCliTests
{
    private const string Linear = """
        models:
          - model: ./a
            parameters: {weight: 0.5}
          - model: ./b
            parameters: {weight: 0.5}
        merge_method: linear
        dtype: float32
        """;

    /// <summary>Writes two tiny models of <paramref name="modelType"/> and renames their model_type (adding standard size keys).</summary>
    private static void WriteRenamed(TempDirectory dir, string modelType, string newType)
    {
        foreach (var (name, seed) in new[] { ("a", 1L), ("b", 2L) })
        {
            TinyArchitectureWriter.WriteRandom(dir.Combine(name), new TinyArchitectureSpec { ModelType = modelType, Layers = 2 }, seed);
            string path = dir.Combine(name, "config.json");
            var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            config["model_type"] = newType;
            config["num_hidden_layers"] = 2;
            config["hidden_size"] = 32;
            config["num_attention_heads"] = 4;
            config["intermediate_size"] = 64;
            File.WriteAllText(path, config.ToJsonString());
        }
        File.WriteAllText(dir.Combine("linear.yml"), Linear);
    }

    [Fact]
    public void An_unknown_model_type_with_the_standard_layout_merges_with_a_one_line_warning()
    {
        using var dir = new TempDirectory();
        WriteRenamed(dir, "llama", "mystery_lm");
        var run = CliRunner.Run(TimeSpan.FromMinutes(3), "merge", dir.Combine("linear.yml"), dir.Combine("out"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        string warning = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("warning", StringComparison.Ordinal));
        Assert.Equal($"evomerge: warning: {dir.Combine("a", "config.json")}: model_type 'mystery_lm' is not a known architecture; merging it as the standard model.layers.N. layout with the first model's 9 tensors per layer", warning);
        using var a = ModelWeights.Open(dir.Combine("a"));
        using var b = ModelWeights.Open(dir.Combine("b"));
        using var merged = ModelWeights.Open(dir.Combine("out"));
        Assert.Equal(a.Names.Order(StringComparer.Ordinal), merged.Names.Order(StringComparer.Ordinal));
        using var scope = torch.NewDisposeScope();
        foreach (string name in new[] { "model.embed_tokens.weight", "model.layers.1.mlp.down_proj.weight", "lm_head.weight" })
            Assert.True(torch.allclose(merged.Load(name), (a.Load(name) + b.Load(name)) * 0.5, rtol: 1e-6, atol: 1e-7), name);
    }

    [Fact]
    public void An_unknown_model_type_with_another_layout_merges_with_the_inferred_layout_and_strict_refuses_it()
    {
        using var dir = new TempDirectory();
        WriteRenamed(dir, "gpt2", "mystery_gpt");
        var strict = CliRunner.Run(TimeSpan.FromMinutes(3), "merge", dir.Combine("linear.yml"), dir.Combine("out"), "--strict");
        Assert.Equal(1, strict.ExitCode);
        string line = Assert.Single(strict.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"evomerge: error: {dir.Combine("a", "config.json")}: model_type 'mystery_gpt' is not a known architecture; merging it with the layout inferred from its tensor names, as mergekit does: transformer.h.N. (2 layers of ", line);
        Assert.EndsWith("; refused by --strict", line);
        Assert.False(Directory.Exists(dir.Combine("out")));

        var run = CliRunner.Run(TimeSpan.FromMinutes(3), "merge", dir.Combine("linear.yml"), dir.Combine("out"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        string warning = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("warning", StringComparison.Ordinal));
        Assert.StartsWith($"evomerge: warning: {dir.Combine("a", "config.json")}: model_type 'mystery_gpt' is not a known architecture; merging it with the layout inferred", warning);
        using var a = ModelWeights.Open(dir.Combine("a"));
        using var b = ModelWeights.Open(dir.Combine("b"));
        using var merged = ModelWeights.Open(dir.Combine("out"));
        Assert.Equal(a.Names.Order(StringComparer.Ordinal), merged.Names.Order(StringComparer.Ordinal));
        using var scope = torch.NewDisposeScope();
        foreach (string name in new[] { "transformer.wte.weight", "transformer.h.1.mlp.c_fc.weight", "transformer.ln_f.bias" })
            Assert.True(torch.allclose(merged.Load(name), (a.Load(name) + b.Load(name)) * 0.5, rtol: 1e-6, atol: 1e-7), name);
    }

    [Fact]
    public void Eval_refuses_a_family_that_only_merges()
    {
        using var dir = new TempDirectory();
        TinyArchitectureWriter.WriteRandom(dir.Combine("granite"), new TinyArchitectureSpec { ModelType = "granite" }, seed: 1);
        var run = CliRunner.Run("eval", dir.Combine("granite"), "--task", EvalCommandTests.Example("sentences.yml"), "--limit", "1");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"evomerge: error: {dir.Combine("granite", "config.json")}: model_type granite can be merged and inspected but not evaluated yet (evaluated: llama, mistral, qwen2, qwen3, gemma, gemma2, gemma3_text, phi3, mixtral, gemma3)",
            Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
