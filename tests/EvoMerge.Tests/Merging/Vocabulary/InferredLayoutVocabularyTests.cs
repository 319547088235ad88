using System.Text.Json.Nodes;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using EvoMerge.Tests.Merging.Mergekit;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Vocabulary;

/// <summary>
/// Vocabularies of an inferred multimodal layout (pico-LLaVA), whose vocabulary-indexed tensors are
/// <c>model.language_model.embed_tokens.weight</c> and <c>lm_head.weight</c>: the pico-LLaVA models are given the
/// tokenizers and embedding rows of mergekit's tokenizer fixtures (tok_base, tok_padded, tok_chatml with 66 rows), so
/// the union merge must give the rows mergekit's own run gave for those fixtures (expected/tokenizer-source_union).
/// </summary>
public class InferredLayoutVocabularyTests
{
    private const string Embed = "model.language_model.embed_tokens.weight";

    private static string Model(string name) => RepositoryPaths.Combine("tests", "fixtures", "mergekit", "models", name);

    /// <summary>A copy of pico-LLaVA <paramref name="vlm"/> with the tokenizer files and embedding/head rows of <paramref name="tok"/>.</summary>
    private static string WithVocabulary(TempDirectory dir, string vlm, string tok)
    {
        string path = dir.Combine(vlm + "-" + tok);
        Directory.CreateDirectory(path);
        // The config's text_config.vocab_size says how many token ids have rows, as the tokenizer fixture's vocab_size does.
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Model(vlm), "config.json")))!.AsObject();
        config["text_config"]!["vocab_size"] = JsonNode.Parse(File.ReadAllText(Path.Combine(Model(tok), "config.json")))!["vocab_size"]!.DeepClone();
        File.WriteAllText(Path.Combine(path, "config.json"), config.ToJsonString());
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(Model(tok), file), Path.Combine(path, file));
        using var weights = ModelWeights.Open(Model(vlm));
        using var vocabulary = ModelWeights.Open(Model(tok));
        var tensors = weights.Names.Select(name => (name, name switch
        {
            Embed => vocabulary.Load("model.embed_tokens.weight"),
            "lm_head.weight" => vocabulary.Load("lm_head.weight"),
            _ => weights.Load(name),
        })).ToList();
        SafetensorsWriter.WriteModel(path, tensors);
        return path;
    }

    [Fact]
    public void A_union_vocabulary_maps_the_embedding_and_head_rows_of_an_inferred_layout_as_mergekit_does()
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDirectory("inferred-vocabulary");
        string a = WithVocabulary(dir, "vlm_a", "tok_base");
        string b = WithVocabulary(dir, "vlm_b", "tok_padded");
        string c = WithVocabulary(dir, "vlm_c", "tok_chatml");
        string yaml = $"""
            merge_method: linear
            base_model: {a}
            models:
              - model: {a}
                parameters: {"{weight: 1.0}"}
              - model: {b}
                parameters: {"{weight: 1.0}"}
              - model: {c}
                parameters: {"{weight: 1.0}"}
            tokenizer_source: union
            dtype: float32
            """;
        using (var plan = MergePlanner.Build(RecipeReader.Parse(yaml, "vlm.yml", "/")))
        {
            using var sink = ModelDirectorySink.Create(plan, dir.Combine("out"), SafetensorsWriter.DefaultMaxShardBytes, false);
            using var executor = new MergeExecutor(plan, new MergeExecutionOptions());
            executor.Run(sink);
        }
        // The output config's vocab_size is text_config's, as the row count (66) says.
        var output = JsonNode.Parse(File.ReadAllText(dir.Combine("out", "config.json")))!.AsObject();
        Assert.Equal(66, (int)output["text_config"]!["vocab_size"]!);
        Assert.False(output.ContainsKey("vocab_size"));
        using var expected = SafetensorsFile.Open(MergekitCorpus.Expected("tokenizer-source_union"));
        using var merged = ModelWeights.Open(dir.Combine("out"));
        foreach (var (ours, mergekit) in new[] { (Embed, "model.embed_tokens.weight"), ("lm_head.weight", "lm_head.weight") })
        {
            var want = expected.Load(mergekit, torch.ScalarType.Float32);
            var got = merged.Load(ours, torch.ScalarType.Float32);
            Assert.Equal(want.shape, got.shape);
            Assert.True(torch.allclose(want, got, rtol: 0, atol: 2e-5), ours);
        }
    }
}
