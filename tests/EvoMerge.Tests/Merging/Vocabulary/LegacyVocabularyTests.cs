using System.Text.Json.Nodes;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tests.Merging.Execution;
using Xunit;
using static EvoMerge.Tests.Merging.Vocabulary.VocabularyWorkspace;

namespace EvoMerge.Tests.Merging.Vocabulary;

/// <summary>
/// Without tokenizer settings, embedding and head tensors whose row counts differ merge as mergekit does: task-vector
/// methods keep the base's rows (each model's first rows; fewer rows than the base is an error), other methods the
/// rows all models have; a warning names the models and sizes, the base's tokenizer is copied and vocab_size is the
/// row count.
/// </summary>
public class LegacyVocabularyTests
{
    [Fact]
    public void Task_arithmetic_keeps_the_bases_rows_and_warns()
    {
        using var ws = new RecipeWorkspace();
        ByteLevel(ws, "base", 1);
        ByteLevel(ws, "chat", 2, added: ["<|im_start|>", "<|im_end|>"]);
        const string recipe = "merge_method: task_arithmetic\nbase_model: base\nmodels:\n  - model: chat\n    parameters: {weight: 0.5}\n";
        using (var plan = ws.Plan(recipe))
        {
            Assert.Equal(
                $"{Embed}: row counts differ between models ('base': 258, 'chat': 260) and the recipe has no tokenizer settings; each model's first 258 rows are merged (as mergekit does) and vocab_size is 258; set tokenizer_source to merge the vocabularies",
                plan.VocabularyWarnings[0]);
        }
        ws.Merge(recipe);

        using var b = ws.Load("base", Embed);
        using var chat = ws.Load("chat", Embed);
        using var merged = ws.Load("out", Embed);
        Assert.Equal([258L, 16L], merged.shape);
        foreach (long row in new long[] { 0, 120, 257 })
            Near(Add(Row(b, row), Add(Row(chat, row), Row(b, row), -1), 0.5), Row(merged, row), $"row {row}");
        Assert.Equal(258, (int)JsonNode.Parse(File.ReadAllText(Path.Combine(ws.Out, "config.json")))!["vocab_size"]!);
        Assert.Equal(File.ReadAllText(Path.Combine(ws.Root, "base", "tokenizer.json")), File.ReadAllText(Path.Combine(ws.Out, "tokenizer.json")));
    }

    [Fact]
    public void Linear_keeps_the_rows_every_model_has()
    {
        using var ws = new RecipeWorkspace();
        ByteLevel(ws, "chat", 2, added: ["<|im_start|>", "<|im_end|>"]);
        ByteLevel(ws, "base", 1);
        ws.Merge("merge_method: linear\nmodels:\n  - model: chat\n    parameters: {weight: 0.5}\n  - model: base\n    parameters: {weight: 0.5}\n");

        using var b = ws.Load("base", Head);
        using var chat = ws.Load("chat", Head);
        using var merged = ws.Load("out", Head);
        Assert.Equal([258L, 16L], merged.shape);
        Near(Scale(Add(Row(b, 257), Row(chat, 257)), 0.5), Row(merged, 257), "row 257");
        // The config comes from the first model (260 rows); vocab_size follows the merged rows.
        Assert.Equal(258, (int)JsonNode.Parse(File.ReadAllText(Path.Combine(ws.Out, "config.json")))!["vocab_size"]!);
    }

    [Fact]
    public void A_task_vector_model_with_fewer_rows_than_the_base_is_an_error()
    {
        using var ws = new RecipeWorkspace();
        ByteLevel(ws, "chat", 2, added: ["<|im_start|>", "<|im_end|>"]);
        ByteLevel(ws, "base", 1);
        var error = Assert.Throws<RecipeException>(() => ws.Plan("merge_method: ties\nbase_model: chat\nmodels:\n  - model: base\n    parameters: {weight: 0.5, density: 0.5}\n"));
        Assert.Equal($"{Path.Combine(ws.Root, "recipe.yml")}:4: tensor '{Embed}' has 258 rows in model 'base' but 260 in the base model 'chat'; ties takes the base's rows (as mergekit, which fails here too); set tokenizer_source to merge the vocabularies",
            error.Message);
    }
}
