using System.Text.Json.Nodes;
using EvoMerge.Inference.Tokenization;
using Xunit;

namespace EvoMerge.Tests.Inference.Tokenization;

public sealed class TextTokenizerTests
{
    [Theory]
    [InlineData("qwen3", null, 151645, 151643, 151669, false)]
    [InlineData("llama3", 128000, 128001, null, 128256, false)]
    [InlineData("llama2", 1, 2, null, 32000, true)]
    public void ReadsSpecialTokensFromTheConfig(string fixture, int? bos, int? eos, int? pad, int vocabSize, bool addBos)
    {
        var tokenizer = TokenizerFixtures.Tokenizer(fixture);
        Assert.Equal(bos, tokenizer.BosId);
        Assert.Equal(eos, tokenizer.EosId);
        Assert.Equal(pad, tokenizer.PadId);
        Assert.Equal(vocabSize, tokenizer.VocabSize);
        Assert.Equal(addBos, tokenizer.AddBosToken);
        Assert.False(tokenizer.AddEosToken);
    }

    [Fact]
    public void SpecialTokensInTextAreSingleTokens()
    {
        var qwen = TokenizerFixtures.Tokenizer("qwen3");
        var ids = qwen.Encode("<|im_start|>user\nHi<|im_end|>", addSpecialTokens: false);
        Assert.Equal(151644, ids[0]);
        Assert.Equal(151645, ids[^1]);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>", qwen.Decode(ids));
        Assert.Equal(151644, qwen.TokenToId("<|im_start|>"));
    }

    [Fact]
    public void SentencePieceBpeFallsBackToBytesAndMergesByRank()
    {
        var tokenizer = TextTokenizer.Load(SentencePieceDirectory());
        Assert.Equal([264], tokenizer.Encode("ab", addSpecialTokens: false));
        Assert.Equal([262, 3 + 'c'], tokenizer.Encode("ac", addSpecialTokens: false));
        Assert.Equal([259, 3 + 0xC3, 3 + 0xA9], tokenizer.Encode("\u00e9", addSpecialTokens: false));
        Assert.Equal("ac \u00e9", tokenizer.Decode(tokenizer.Encode("ac \u00e9", addSpecialTokens: false)));
        Assert.Equal("\uFFFD", tokenizer.Decode([3 + 0xC3]));
    }

    [Fact]
    public void WithoutByteTokensUnknownCharactersBecomeOneFusedUnknown()
    {
        var json = SentencePieceJson();
        var vocab = json["model"]!["vocab"]!.AsObject();
        foreach (string name in vocab.Select(p => p.Key).Where(k => k.StartsWith("<0x", StringComparison.Ordinal)).ToList()) vocab.Remove(name);
        json["model"]!["byte_fallback"] = false;
        var tokenizer = TextTokenizer.Load(WriteDirectory(json));
        Assert.Equal([262, 0], tokenizer.Encode("acc", addSpecialTokens: false));
    }

    [Fact]
    public void PostProcessorTemplateAddsBosUnlessTheConfigSaysOtherwise()
    {
        string dir = SentencePieceDirectory();
        var fromTemplate = TextTokenizer.Load(dir);
        Assert.True(fromTemplate.AddBosToken);
        Assert.Equal(1, fromTemplate.BosId);
        Assert.Equal([1, 264], fromTemplate.Encode("ab", addSpecialTokens: true));

        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"),
            """{"add_bos_token": false, "add_eos_token": true, "bos_token": "<s>", "eos_token": {"content": "</s>", "__type": "AddedToken"}}""");
        var configured = TextTokenizer.Load(dir);
        Assert.False(configured.AddBosToken);
        Assert.True(configured.AddEosToken);
        Assert.Equal([264, 2], configured.Encode("ab", addSpecialTokens: true));
    }

    [Fact]
    public void AddedTokensHonourStripOptions()
    {
        var json = SentencePieceJson();
        json["added_tokens"]!.AsArray().Add(JsonNode.Parse(
            """{"id": 265, "content": "<sep>", "special": true, "lstrip": true, "rstrip": true, "single_word": false, "normalized": false}"""));
        var tokenizer = TextTokenizer.Load(WriteDirectory(json));
        Assert.Equal([264, 265, 264], tokenizer.Encode("ab  <sep>  ab", addSpecialTokens: false));
    }

    [Fact]
    public void MetaspacePreTokenizerPrependsOnlyAtTheStartWithSchemeFirst()
    {
        var json = SentencePieceJson();
        json["normalizer"] = null;
        json["pre_tokenizer"] = JsonNode.Parse("""{"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": false}""");
        json["decoder"] = JsonNode.Parse("""{"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": false}""");
        var tokenizer = TextTokenizer.Load(WriteDirectory(json));
        Assert.Equal([264, 1, 263], tokenizer.Encode("ab<s>ab", addSpecialTokens: false));
        Assert.Equal("ab<s>ab", tokenizer.Decode([264, 1, 263]));
    }

    [Fact]
    public void UnsupportedModelTypeNamesTheFileAndField()
    {
        var json = SentencePieceJson();
        json["model"]!["type"] = "Unigram";
        string dir = WriteDirectory(json);
        var e = Assert.Throws<TokenizerFormatException>(() => TextTokenizer.Load(dir));
        Assert.Equal($"{Path.Combine(dir, "tokenizer.json")}: model.type 'Unigram' is not supported", e.Message);
        Assert.Equal("model.type", e.Field);
    }

    [Fact]
    public void UnsupportedNormalizerInASequenceNamesItsPath()
    {
        var json = SentencePieceJson();
        json["normalizer"] = JsonNode.Parse("""{"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "NFKC"}]}""");
        var e = Assert.Throws<TokenizerFormatException>(() => TextTokenizer.Load(WriteDirectory(json)));
        Assert.EndsWith("tokenizer.json: normalizer.normalizers[1].type 'NFKC' is not supported", e.Message);
    }

    [Fact]
    public void MergeOfUnknownTokensNamesTheMerge()
    {
        var json = SentencePieceJson();
        json["model"]!["merges"]!.AsArray().Add("x y");
        var e = Assert.Throws<TokenizerFormatException>(() => TextTokenizer.Load(WriteDirectory(json)));
        Assert.Equal("model.merges[3]", e.Field);
    }

    [Fact]
    public void ConfigTokenMissingFromTheVocabularyNamesTheConfigField()
    {
        string dir = SentencePieceDirectory();
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"bos_token": "<bos>"}""");
        var e = Assert.Throws<TokenizerFormatException>(() => TextTokenizer.Load(dir));
        Assert.EndsWith("tokenizer_config.json: bos_token '<bos>' is not a token of the tokenizer", e.Message);
    }

    [Fact]
    public void BrokenJsonAndMissingFilesAreReported()
    {
        string dir = TokenizerFixtures.ScratchDirectory();
        Assert.Throws<FileNotFoundException>(() => TextTokenizer.Load(dir));
        Assert.Throws<DirectoryNotFoundException>(() => TextTokenizer.Load(Path.Combine(dir, "missing")));
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), "{\"model\": ");
        var e = Assert.Throws<TokenizerFormatException>(() => TextTokenizer.Load(dir));
        Assert.Contains("is not valid JSON", e.Message);
    }

    /// <summary>
    /// A tiny Llama-2-style tokenizer: &lt;unk&gt; &lt;s&gt; &lt;/s&gt;, 256 byte tokens (ids 3..258), then
    /// ▁ a b ▁a ab ▁ab (259..264) with merges "▁ a", "a b", "▁a b".
    /// </summary>
    private static JsonObject SentencePieceJson()
    {
        var vocab = new JsonObject { ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        for (int b = 0; b < 256; b++) vocab[$"<0x{b:X2}>"] = 3 + b;
        string[] pieces = ["\u2581", "a", "b", "\u2581a", "ab", "\u2581ab"];
        for (int i = 0; i < pieces.Length; i++) vocab[pieces[i]] = 259 + i;
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = JsonNode.Parse("""
                [{"id": 0, "content": "<unk>", "special": true, "lstrip": false, "rstrip": false, "single_word": false, "normalized": false},
                 {"id": 1, "content": "<s>", "special": true, "lstrip": false, "rstrip": false, "single_word": false, "normalized": false},
                 {"id": 2, "content": "</s>", "special": true, "lstrip": false, "rstrip": false, "single_word": false, "normalized": false}]
                """),
            ["normalizer"] = JsonNode.Parse("""
                {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                 {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}
                """),
            ["pre_tokenizer"] = null,
            ["post_processor"] = JsonNode.Parse("""
                {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                 "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}
                """),
            ["decoder"] = JsonNode.Parse("""
                {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
                 {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
                """),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["unk_token"] = "<unk>",
                ["fuse_unk"] = true,
                ["byte_fallback"] = true,
                ["vocab"] = vocab,
                ["merges"] = JsonNode.Parse("""["\u2581 a", ["a", "b"], "\u2581a b"]"""),
            },
        };
    }

    private static string SentencePieceDirectory() => WriteDirectory(SentencePieceJson());

    private static string WriteDirectory(JsonObject tokenizerJson)
    {
        string dir = TokenizerFixtures.ScratchDirectory();
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), tokenizerJson.ToJsonString());
        return dir;
    }
}
