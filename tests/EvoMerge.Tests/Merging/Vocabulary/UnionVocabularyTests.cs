using System.Text.Json.Nodes;
using EvoMerge.Tests.Merging.Execution;
using Xunit;
using static EvoMerge.Tests.Merging.Vocabulary.VocabularyWorkspace;

namespace EvoMerge.Tests.Merging.Vocabulary;

/// <summary>
/// Merges of models whose vocabularies differ, checked row by row against expectations worked out here from the
/// input files and mergekit's rules (mergekit/tokenizer/build.py and embed.py), and the output's tokenizer against the
/// fine-tune's ids.
/// </summary>
public class UnionVocabularyTests
{
    private const string ChatText = "<|im_start|>user\nhi<|im_end|>";

    [Fact]
    public void A_union_with_a_ChatML_fine_tune_tokenizes_as_the_fine_tune_and_fills_missing_rows_from_it()
    {
        using var ws = new RecipeWorkspace();
        ByteLevel(ws, "base", 1);
        ByteLevel(ws, "chat", 2, added: ["<|im_start|>", "<|im_end|>"]);
        ByteLevel(ws, "other", 3);
        ws.Merge("""
            merge_method: task_arithmetic
            base_model: base
            models:
              - model: chat
                parameters: {weight: 1.0}
              - model: other
                parameters: {weight: 0.5}
            tokenizer_source: union
            """);

        Assert.Equal(Ids(Path.Combine(ws.Root, "chat"), ChatText), Ids(ws.Out, ChatText));
        Assert.Equal([258, 117, 115, 101, 114, 10, 104, 105, 259], Ids(ws.Out, ChatText));
        Assert.Equal(260, (int)JsonNode.Parse(File.ReadAllText(Path.Combine(ws.Out, "config.json")))!["vocab_size"]!);
        var decoder = JsonNode.Parse(File.ReadAllText(Path.Combine(ws.Out, "tokenizer_config.json")))!["added_tokens_decoder"]!;
        Assert.Equal("<|im_end|>", (string)decoder["259"]!["content"]!);
        Assert.True((bool)decoder["259"]!["special"]!);
        Assert.False((bool)decoder["259"]!["normalized"]!);

        foreach (string name in new[] { Embed, Head })
        {
            using var b = ws.Load("base", name);
            using var chat = ws.Load("chat", name);
            using var other = ws.Load("other", name);
            using var merged = ws.Load("out", name);
            Assert.Equal([260L, 16L], merged.shape);
            // Tokens all models have: base + 1.0·(chat − base) + 0.5·(other − base).
            foreach (long row in new long[] { 0, 97, 257 })
            {
                var baseRow = Row(b, row);
                var expected = Add(Add(baseRow, Add(Row(chat, row), baseRow, -1)), Add(Row(other, row), baseRow, -1), 0.5);
                Near(expected, Row(merged, row), $"{name} row {row}");
            }
            // Only the fine-tune has the ChatML tokens: every model takes its row, so every task vector is 0 there.
            foreach (long row in new long[] { 258, 259 }) Near(Row(chat, row), Row(merged, row), $"{name} row {row}");
        }
    }

    [Fact]
    public void The_tokenizer_block_applies_mergekits_rules_token_sources_force_and_padding()
    {
        using var ws = new RecipeWorkspace();
        ByteLevel(ws, "base", 1);
        ByteLevel(ws, "a", 2, added: ["<|im_start|>", "<|im_end|>"]);
        // No <s> (no token has id 256): </s> 257, <|im_end|> 258, <tool> 259.
        ByteLevel(ws, "b", 3, withBos: false, added: ["<|im_end|>", "<tool>"]);
        using (var plan = ws.Plan(Recipe))
            Assert.Contains(plan.VocabularyWarnings, w => w.Contains("1 token(s) of the output vocabulary are in none of the merged models ('<empty>')", StringComparison.Ordinal));
        ws.Merge(Recipe);

        // Union: base's 258, then a's <|im_start|> 258, <|im_end|> 259, b's <tool> 260, then the block's <new> 261 and <empty> 262; padded to 264.
        Assert.Equal([258, 261, 259], Ids(ws.Out, "<|im_start|><new><|im_end|>"));
        Assert.Equal([260], Ids(ws.Out, "<tool>"));
        Assert.Equal(264, (int)JsonNode.Parse(File.ReadAllText(Path.Combine(ws.Out, "config.json")))!["vocab_size"]!);
        var added = JsonNode.Parse(File.ReadAllText(Path.Combine(ws.Out, "tokenizer.json")))!["added_tokens"]!.AsArray();
        var newToken = added.Single(t => (string)t!["content"]! == "<new>")!;
        Assert.False((bool)newToken["special"]!);
        Assert.True((bool)newToken["normalized"]!);

        foreach (string name in new[] { Embed, Head })
        {
            using var b0 = ws.Load("base", name);
            using var a = ws.Load("a", name);
            using var b = ws.Load("b", name);
            using var merged = ws.Load("out", name);
            Assert.Equal([264L, 16L], merged.shape);
            // Each model's rows in the output vocabulary, by mergekit's rules, then linear 0.5·base + 0.3·a + 0.2·b.
            double[] Linear(double[] x, double[] y, double[] z) => Add(Add(Scale(x, 0.5), Scale(y, 0.3)), Scale(z, 0.2));
            var baseRows = new double[263][];
            var aRows = new double[263][];
            var bRows = new double[263][];
            for (int i = 0; i < 256; i++)
            {
                baseRows[i] = Row(b0, i);
                aRows[i] = Row(a, i);
                bRows[i] = Row(b, i);
            }
            // <s> (256): base and a have it, b lacks it: the base's row.
            baseRows[256] = Row(b0, 256);
            aRows[256] = Row(a, 256);
            bRows[256] = Row(b0, 256);
            // </s> (257): forced to a's <|im_end|> row in every model.
            baseRows[257] = aRows[257] = bRows[257] = Row(a, 259);
            // <|im_start|> (258): only a has it.
            baseRows[258] = Row(a, 258);
            aRows[258] = Row(a, 258);
            bRows[258] = Row(a, 258);
            // <|im_end|> (259): a and b have it, the base does not: the mean of theirs.
            var mean = Scale(Add(Row(a, 259), Row(b, 258)), 0.5);
            baseRows[259] = mean;
            aRows[259] = Row(a, 259);
            bRows[259] = Row(b, 258);
            // <tool> (260): only b has it.
            baseRows[260] = aRows[260] = bRows[260] = Row(b, 259);
            // <new> (261): {kind: zero}.
            baseRows[261] = aRows[261] = bRows[261] = Zeros(16);
            // <empty> (262): listed without a source, in no model: zeros (with a warning).
            baseRows[262] = aRows[262] = bRows[262] = Zeros(16);
            for (int i = 0; i < 263; i++)
                Near(Linear(baseRows[i], aRows[i], bRows[i]), Row(merged, i), $"{name} row {i}");
            // The padding row: each model's mean over its 263 rows, merged.
            double[] MeanOf(double[][] rows) => Enumerable.Range(0, 16).Select(c => rows.Average(r => r[c])).ToArray();
            var padding = Linear(MeanOf(baseRows), MeanOf(aRows), MeanOf(bRows));
            Near(padding, Row(merged, 263), $"{name} row 263");
        }
    }

    private const string Recipe = """
        merge_method: linear
        base_model: base
        models:
          - model: base
            parameters: {weight: 0.5}
          - model: a
            parameters: {weight: 0.3}
          - model: b
            parameters: {weight: 0.2}
        tokenizer:
          source: union
          pad_to_multiple_of: 8
          tokens:
            </s>:
              source: {kind: model_token, model: a, token: "<|im_end|>"}
              force: true
            <new>:
              source: {kind: zero}
            <empty>: {}
        """;

    [Fact]
    public void Tokenizer_source_model_gives_that_models_vocabulary_and_files_unchanged()
    {
        using var ws = new RecipeWorkspace();
        ByteLevel(ws, "base", 1);
        ByteLevel(ws, "chat", 2, added: ["<|im_start|>", "<|im_end|>"]);
        ws.Merge("""
            merge_method: linear
            models:
              - model: base
                parameters: {weight: 0.25}
              - model: chat
                parameters: {weight: 0.75}
            tokenizer_source: chat
            """);

        Assert.Equal(File.ReadAllText(Path.Combine(ws.Root, "chat", "tokenizer.json")), File.ReadAllText(Path.Combine(ws.Out, "tokenizer.json")));
        using var b = ws.Load("base", Embed);
        using var chat = ws.Load("chat", Embed);
        using var merged = ws.Load("out", Embed);
        Assert.Equal([260L, 16L], merged.shape);
        Near(Add(Scale(Row(b, 65), 0.25), Scale(Row(chat, 65), 0.75)), Row(merged, 65), "row 65");
        // The base lacks <|im_end|>: only the chat model has it, so both take its row.
        Near(Row(chat, 259), Row(merged, 259), "row 259");
    }

    [Fact]
    public void A_SentencePiece_style_vocabulary_gains_the_fine_tunes_added_token_with_merges_unchanged()
    {
        using var ws = new RecipeWorkspace();
        Llama2(ws, "base", 1);
        Llama2(ws, "chat", 2, "<|im_start|>");
        ws.Merge("""
            merge_method: task_arithmetic
            base_model: base
            models:
              - model: chat
                parameters: {weight: 0.5}
            tokenizer_source: union
            """);

        const string text = "<|im_start|>Hello world";
        Assert.Equal(Ids(Path.Combine(ws.Root, "chat"), text), Ids(ws.Out, text));
        Assert.Equal(32000, Ids(ws.Out, text)[0]);
        var output = JsonNode.Parse(File.ReadAllText(Path.Combine(ws.Out, "tokenizer.json")))!;
        var source = JsonNode.Parse(File.ReadAllText(Path.Combine(ws.Root, "base", "tokenizer.json")))!;
        Assert.True(JsonNode.DeepEquals(source["model"], output["model"]));
        using var b = ws.Load("base", Embed);
        using var chat = ws.Load("chat", Embed);
        using var merged = ws.Load("out", Embed);
        Assert.Equal([32001L, 8L], merged.shape);
        Near(Add(Row(b, 500), Add(Row(chat, 500), Row(b, 500), -1), 0.5), Row(merged, 500), "row 500");
        Near(Row(chat, 32000), Row(merged, 32000), "row 32000");
    }
}
