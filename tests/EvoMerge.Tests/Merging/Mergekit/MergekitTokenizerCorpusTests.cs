using System.Text.Json.Nodes;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Mergekit;

/// <summary>
/// mergekit's tests/test_tokenizer.py configurations (recipes tokenizer-*): the output of the float32 merge has
/// mergekit's vocabulary (every token's id, the added tokens' flags, config.json's vocab_size, as mergekit's own
/// build.py wrote them into expected/NAME.vocabulary.json), and its tokenizer gives the ids of mergekit's vocabulary
/// for texts made of added tokens. The tensors are compared by <see cref="MergekitCorpusTests"/>.
/// </summary>
public class MergekitTokenizerCorpusTests
{
    private static IEnumerable<string> TokenizerRecipeNames =>
        MergekitCorpus.RecipeNames.Where(n => n.StartsWith("tokenizer-", StringComparison.Ordinal));

    public static TheoryData<string> TokenizerRecipes() => [.. TokenizerRecipeNames];

    [Fact]
    public void All_eight_test_tokenizer_configurations_are_in_the_corpus_and_mergekit_accepted_them()
    {
        string[] expected =
        [
            "tokenizer-force_token", "tokenizer-legacy", "tokenizer-model_token_id", "tokenizer-pad_to_multiple_of",
            "tokenizer-slerp_union", "tokenizer-source_base", "tokenizer-source_model", "tokenizer-source_union",
        ];
        Assert.Equal(expected, TokenizerRecipeNames);
        Assert.All(expected, n => Assert.Equal("ok", MergekitCorpus.MergekitResults[n]));
    }

    [Theory]
    [MemberData(nameof(TokenizerRecipes))]
    public void Merged_vocabulary_and_token_ids_equal_mergekit_s(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDirectory("mergekit-tokenizer");
        string output = Merge(name, dir);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "config.json")))!;
        var want = JsonNode.Parse(File.ReadAllText(Path.Combine(MergekitCorpus.Directory, "expected", name + ".vocabulary.json")))!;
        Assert.Equal((int)want["config_vocab_size"]!, (int)config["vocab_size"]!);
        if (want["vocab"] is null)
        {
            // Legacy mode: mergekit builds no tokenizer (its test expects the base's, copied); EvoMerge writes the
            // base's. vocab_size: mergekit keeps the donor's, EvoMerge writes the merged row count
            // (docs/merge-semantics.md), the same 64 here.
            Assert.Equal("tokenizer-legacy", name);
            Assert.Equal(Vocabulary(Path.Combine(MergekitCorpus.Directory, "models", "tok_base")), Vocabulary(output));
            return;
        }

        var wantVocabulary = want["vocab"]!.AsObject().ToDictionary(kv => kv.Key, kv => (int)kv.Value!, StringComparer.Ordinal);
        Assert.Equal(wantVocabulary.OrderBy(kv => kv.Value), Vocabulary(output).OrderBy(kv => kv.Value));
        Assert.Equal(AddedTokens(want["added_tokens"]!.AsArray()), AddedTokens(Added(output)));

        var tokenizer = TextTokenizer.Load(output);
        foreach (var (token, id) in wantVocabulary) Assert.Equal(id, tokenizer.TokenToId(token));
        var addedContents = want["added_tokens"]!.AsArray().Select(t => (string)t!["content"]!).ToList();
        string text = string.Concat(addedContents);
        Assert.Equal(addedContents.Select(t => wantVocabulary[t]), tokenizer.Encode(text, false));
        if (addedContents.Contains("<|im_start|>"))
        {
            // The issue's acceptance: text using the ChatML tokens gets the fine-tune's ids.
            const string Chat = "<|im_start|><s><|im_end|></s>";
            var chatml = TextTokenizer.Load(Path.Combine(MergekitCorpus.Directory, "models", "tok_chatml"));
            Assert.Equal([64, 1, 65, 2], tokenizer.Encode(Chat, false));
            Assert.Equal(chatml.Encode(Chat, false), tokenizer.Encode(Chat, false));
        }
    }

    private static string Merge(string name, TempDirectory dir)
    {
        string output = dir.Combine("out");
        using var plan = MergePlanner.Build(RecipeReader.ReadFile(MergekitCorpus.Float32Copy(name, dir.Path)));
        using var sink = ModelDirectorySink.Create(plan, output, SafetensorsWriter.DefaultMaxShardBytes, false);
        using var executor = new MergeExecutor(plan, new MergeExecutionOptions());
        executor.Run(sink);
        return output;
    }

    private static JsonArray Added(string modelDirectory) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(modelDirectory, "tokenizer.json")))!["added_tokens"]!.AsArray();

    /// <summary>tokenizer.json's vocabulary: the BPE model's tokens, then the added tokens (token → id).</summary>
    private static Dictionary<string, int> Vocabulary(string modelDirectory)
    {
        var tokenizer = JsonNode.Parse(File.ReadAllText(Path.Combine(modelDirectory, "tokenizer.json")))!;
        var vocabulary = tokenizer["model"]!["vocab"]!.AsObject().ToDictionary(kv => kv.Key, kv => (int)kv.Value!, StringComparer.Ordinal);
        foreach (var token in tokenizer["added_tokens"]!.AsArray()) vocabulary[(string)token!["content"]!] = (int)token["id"]!;
        return vocabulary;
    }

    private static List<string> AddedTokens(JsonArray added) =>
        [.. added.Select(t => $"{(int)t!["id"]!} {(string)t["content"]!} special={(bool)t["special"]!} normalized={(bool)t["normalized"]!} lstrip={(bool)t["lstrip"]!} rstrip={(bool)t["rstrip"]!} single_word={(bool)t["single_word"]!}").Order(StringComparer.Ordinal)];
}
