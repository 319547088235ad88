using System.Text.Json;
using System.Text.Json.Nodes;

namespace EvoMerge.Merging.Recipes;

/// <summary>
/// Turns a recipe's <c>chat_template</c> into the template text written to the output, as mergekit resolves it:
/// a bundled name (<see cref="NamedChatTemplates"/>) gives that template; <c>auto</c> gives the template most of the
/// recipe's models carry (each model counted once; a tie goes to the model met first in base_model, then recipe
/// order), or nothing when none carries one; anything else is the Jinja text itself.
/// </summary>
public static class ChatTemplateResolver
{
    /// <summary>The value that picks the models' most common template.</summary>
    public const string Auto = "auto";

    /// <summary>The text to write for <paramref name="recipe"/>, or null to keep the tokenizer donor's files as they are.</summary>
    public static string? Resolve(MergeRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        if (recipe.ChatTemplate is not { } value) return null;
        if (value != Auto) return NamedChatTemplates.Find(value) ?? value;

        var models = new List<ModelReference>();
        if (recipe.BaseModel is { } baseModel) models.Add(baseModel);
        foreach (var source in recipe.Slices.SelectMany(s => s.Sources))
        {
            if (!models.Any(m => m.SameModelAs(source.Model))) models.Add(source.Model);
        }
        var templates = models.Select(m => ReadTemplate(m.Path)).OfType<string>().ToList();
        return templates.Count == 0 ? null : templates.GroupBy(t => t, StringComparer.Ordinal).MaxBy(g => g.Count())!.Key;
    }

    /// <summary>
    /// The chat template a model directory carries, trimmed as mergekit compares them: <c>chat_template.jinja</c>
    /// (which transformers prefers), else tokenizer_config.json's <c>chat_template</c> (a string, or the entry
    /// named "default" of a list of named templates). Null when it has none, or its tokenizer_config.json cannot
    /// be read (mergekit skips such a model too).
    /// </summary>
    public static string? ReadTemplate(string modelDirectory)
    {
        string jinja = Path.Combine(modelDirectory, "chat_template.jinja");
        if (File.Exists(jinja)) return NonEmpty(File.ReadAllText(jinja));
        string config = Path.Combine(modelDirectory, "tokenizer_config.json");
        if (!File.Exists(config)) return null;
        JsonNode? template;
        try
        {
            template = (JsonNode.Parse(File.ReadAllText(config)) as JsonObject)?["chat_template"];
        }
        catch (JsonException)
        {
            return null;
        }
        return template switch
        {
            JsonValue v when v.TryGetValue(out string? text) => NonEmpty(text),
            JsonArray named => named.OfType<JsonObject>()
                .Where(e => e["name"] is JsonValue n && n.TryGetValue(out string? name) && name == "default")
                .Select(e => e["template"] is JsonValue t && t.TryGetValue(out string? text) ? NonEmpty(text) : null)
                .FirstOrDefault(),
            _ => null,
        };
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
