using System.Text.Json.Nodes;
using EvoMerge.Demo;
using EvoMerge.Tensors;
using EvoMerge.Tests.Tensors;
using Xunit;
using Matrix = EvoMerge.Tests.Tensors.PeftAdapterFiles.Matrix;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// LoRA inputs through the built CLI: <c>model: BASE+ADAPTER</c> in <c>evomerge merge</c> equals the dense fine-tune
/// the test computes from the files (<see cref="PeftAdapterFiles"/>), a ties merge with a LoRA source equals the same
/// merge over that dense fine-tune written as a plain model, a bad adapter is one line, and a search with a LoRA
/// source runs to completion.
/// </summary>
public class LoraInputTests
{
    private const string Prefix = "base_model.model.";

    /// <summary>
    /// A rank-4, α-8 adapter (scale 2) over <paramref name="baseModel"/>: q_proj and v_proj of every layer, the embedding
    /// (lora_embedding_A/B) and a saved lm_head (modules_to_save); returns the dense fine-tune's changed tensors.
    /// </summary>
    private static Dictionary<string, Matrix> WriteAdapter(string baseModel, string adapter, int seed)
    {
        var baseTensors = PeftAdapterFiles.ReadModel(baseModel);
        var random = new Random(seed);
        var tensors = new List<(string Name, Matrix Tensor)>();
        var dense = new Dictionary<string, Matrix>(StringComparer.Ordinal);
        foreach (string target in baseTensors.Keys.Where(n => n.EndsWith(".q_proj.weight", StringComparison.Ordinal) || n.EndsWith(".v_proj.weight", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            string module = target[..^".weight".Length];
            var w = baseTensors[target];
            var a = PeftAdapterFiles.Random(random, 4, w.Shape[1]);
            var b = PeftAdapterFiles.Random(random, w.Shape[0], 4);
            tensors.Add(($"{Prefix}{module}.lora_A.weight", a));
            tensors.Add(($"{Prefix}{module}.lora_B.weight", b));
            dense[target] = PeftAdapterFiles.Dense(w, a, b, 2.0);
        }
        var embedding = baseTensors["model.embed_tokens.weight"];
        var embeddingA = PeftAdapterFiles.Random(random, 4, embedding.Shape[0]);
        var embeddingB = PeftAdapterFiles.Random(random, embedding.Shape[1], 4);
        tensors.Add(($"{Prefix}model.embed_tokens.lora_embedding_A", embeddingA));
        tensors.Add(($"{Prefix}model.embed_tokens.lora_embedding_B", embeddingB));
        dense["model.embed_tokens.weight"] = PeftAdapterFiles.Dense(embedding, embeddingA, embeddingB, 2.0, transposed: true);
        var head = PeftAdapterFiles.Random(random, baseTensors["lm_head.weight"].Shape);
        tensors.Add(($"{Prefix}lm_head.weight", head));
        dense["lm_head.weight"] = head;
        PeftAdapterFiles.WriteAdapter(adapter, PeftAdapterFiles.Config(4, 8,
            ("target_modules", new JsonArray("q_proj", "v_proj", "embed_tokens")), ("modules_to_save", new JsonArray("lm_head"))), tensors);
        return dense;
    }

    private static void AssertModel(Dictionary<string, Matrix> expected, string directory, double tolerance)
    {
        var actual = PeftAdapterFiles.ReadModel(directory);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in expected)
        {
            double difference = PeftAdapterFiles.MaxDifference(tensor, actual[name]);
            Assert.True(difference <= tolerance, $"{name}: max |difference| {difference}");
        }
    }

    private static Dictionary<string, Matrix> DenseModel(string baseModel, Dictionary<string, Matrix> changed)
    {
        var all = PeftAdapterFiles.ReadModel(baseModel);
        foreach (var (name, tensor) in changed) all[name] = tensor;
        return all;
    }

    [Fact]
    public void Passthrough_of_base_plus_adapter_writes_the_dense_fine_tune()
    {
        using var dir = new TempDirectory();
        string baseModel = dir.Combine("models", "base");
        TinyDecoderWriter.WriteRandom(baseModel, new TinyDecoderSpec { Layers = 2 }, seed: 5);
        var changed = WriteAdapter(baseModel, dir.Combine("adapters", "chat"), seed: 21);
        string recipe = dir.Combine("recipe.yml");
        File.WriteAllText(recipe, "merge_method: passthrough\nmodels:\n  - model: models/base+adapters/chat\ndtype: float32\n");

        var result = CliRunner.Run("merge", recipe, dir.Combine("out"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        AssertModel(DenseModel(baseModel, changed), dir.Combine("out"), 1e-6);
        Assert.Contains("model: \"../models/base+../adapters/chat\"", File.ReadAllText(dir.Combine("out", "evomerge_recipe.yml")));
    }

    [Fact]
    public void Ties_with_a_lora_source_equals_ties_with_the_dense_fine_tune()
    {
        using var dir = new TempDirectory();
        var spec = new TinyDecoderSpec { Layers = 2 };
        string baseModel = dir.Combine("models", "base");
        TinyDecoderWriter.WriteRandom(baseModel, spec, seed: 5);
        TinyDecoderWriter.WriteRandom(dir.Combine("models", "a"), spec, seed: 6);
        var dense = DenseModel(baseModel, WriteAdapter(baseModel, dir.Combine("adapters", "chat"), seed: 22));
        Directory.CreateDirectory(dir.Combine("models", "dense"));
        File.Copy(Path.Combine(baseModel, "config.json"), dir.Combine("models", "dense", "config.json"));
        PeftAdapterFiles.Write(dir.Combine("models", "dense", "model.safetensors"), dense.Select(p => (p.Key, p.Value)).ToList());
        const string Recipe = """
            merge_method: ties
            base_model: models/base
            models:
              - model: models/a
                parameters: {weight: 0.6, density: 0.5}
              - model: SOURCE
                parameters: {weight: 0.8, density: 0.7}
            dtype: float32
            """;
        File.WriteAllText(dir.Combine("lora.yml"), Recipe.Replace("SOURCE", "models/base+adapters/chat", StringComparison.Ordinal));
        File.WriteAllText(dir.Combine("dense.yml"), Recipe.Replace("SOURCE", "models/dense", StringComparison.Ordinal));

        var lora = CliRunner.Run("merge", dir.Combine("lora.yml"), dir.Combine("out-lora"));
        var reference = CliRunner.Run("merge", dir.Combine("dense.yml"), dir.Combine("out-dense"));

        Assert.True(lora.ExitCode == 0, lora.Stderr);
        Assert.True(reference.ExitCode == 0, reference.Stderr);
        AssertModel(PeftAdapterFiles.ReadModel(dir.Combine("out-dense")), dir.Combine("out-lora"), 1e-6);
    }

    [Fact]
    public void A_dora_adapter_is_one_line_naming_adapter_config_and_the_field()
    {
        using var dir = new TempDirectory();
        string baseModel = dir.Combine("models", "base");
        TinyDecoderWriter.WriteRandom(baseModel, new TinyDecoderSpec { Layers = 2 }, seed: 5);
        WriteAdapter(baseModel, dir.Combine("adapters", "chat"), seed: 23);
        string config = dir.Combine("adapters", "chat", "adapter_config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"use_dora\": false", "\"use_dora\": true", StringComparison.Ordinal));
        File.WriteAllText(dir.Combine("recipe.yml"), "merge_method: passthrough\nmodels:\n  - model: models/base+adapters/chat\n");

        var result = CliRunner.Run("merge", dir.Combine("recipe.yml"), dir.Combine("out"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"evomerge: error: {config}: field 'use_dora' is true; DoRA adapters are not supported (only plain LoRA: W + scale·B·A)", result.Stderr.Trim());
        Assert.False(Directory.Exists(dir.Combine("out")));
    }

    [Fact]
    public void A_search_with_a_lora_source_runs_to_completion_reuses_its_materialised_source_and_refuses_to_resume_over_a_changed_adapter()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path);
        var changed = WriteAdapter(layout.Base, temp.Combine("adapters", "lora"), seed: 24);
        string config = temp.Combine("search.yml");
        string yaml = layout.SearchYaml(population: 4).Replace("models: [models/a, models/b]", "models: [models/a, models/base+adapters/lora]", StringComparison.Ordinal);
        Assert.Contains("models/base+adapters/lora", yaml);
        File.WriteAllText(config, yaml + "budget:\n  generations: 1\nseed: 3\nrun_dir: runs/lora\n");

        var search = CliRunner.Run(TimeSpan.FromMinutes(5), "search", config);

        Assert.True(search.ExitCode == 0, search.Stderr);
        string source = temp.Combine("runs", "lora", "sources", "models-1-lora");
        Assert.True(File.Exists(Path.Combine(source, "lora-source.json")));
        AssertModel(DenseModel(layout.Base, changed), source, 1e-6);
        Assert.True(File.Exists(temp.Combine("runs", "lora", "archive.json")));

        // Reopening the run (export --list) reuses the materialised source instead of writing it again.
        var written = File.GetLastWriteTimeUtc(Path.Combine(source, "model.safetensors"));
        var list = CliRunner.Run(TimeSpan.FromMinutes(2), "export", temp.Combine("runs", "lora"), "--list");
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(source, "model.safetensors")));

        // The materialised source records its adapter: a changed adapter is refused on resume, naming the record.
        string adapterConfig = temp.Combine("adapters", "lora", "adapter_config.json");
        File.WriteAllText(adapterConfig, File.ReadAllText(adapterConfig).Replace("\"lora_alpha\": 8", "\"lora_alpha\": 16", StringComparison.Ordinal));
        var resume = CliRunner.Run(TimeSpan.FromMinutes(2), "resume", temp.Combine("runs", "lora"));
        Assert.Equal(1, resume.ExitCode);
        Assert.Single(resume.Stderr.Trim().Split('\n'));
        Assert.Contains($"{Path.Combine(source, "lora-source.json")}: the materialised source was made from another base or adapter", resume.Stderr);
    }
}
