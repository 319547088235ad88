using System.Text.Json.Nodes;
using EvoMerge.Merging.Recipes;
using Xunit;

namespace EvoMerge.Tests.Merging.Recipes;

public class ChatTemplateResolverTests
{
    private const string X = "{% for m in messages %}X{{ m['content'] }}{% endfor %}";
    private const string Y = "{% for m in messages %}Y{{ m['content'] }}{% endfor %}";

    // The formats as their authors document them, rendered for [system "You are helpful.", user "Hi", assistant
    // "Hello!"]; each line of a template below is one message's (or the prompt's) piece of that rendering.
    [Theory]
    [InlineData("chatml", "'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n'", "'<|im_start|>assistant\\n'")]
    [InlineData("llama3", "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + (message['content'] | trim) + '<|eot_id|>'", "{{ bos_token }}")]
    [InlineData("alpaca", "'### Instruction:\\n' + (message['content'] | trim)", "'### Response:\\n' + (message['content'] | trim)")]
    [InlineData("mistral", "' [INST] ' + message['content'] + ' [/INST]'", "' ' + message['content'] + eos_token")]
    [InlineData("exaone", "'[|' + message['role'] + '|]' + message['content']", "'[|endofturn|]\\n'")]
    public void A_bundled_name_resolves_to_its_documented_format(string name, string turn, string marker)
    {
        var recipe = RecipeText.Parse($"models: [{{model: a}}]\nmerge_method: linear\nchat_template: {name}\n");
        string template = ChatTemplateResolver.Resolve(recipe)!;
        Assert.Contains(turn, template, StringComparison.Ordinal);
        Assert.Contains(marker, template, StringComparison.Ordinal);
        Assert.Contains("{% for message in", template, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', template);
    }

    [Fact]
    public void A_jinja_template_is_written_as_given_and_no_chat_template_keeps_the_donors()
    {
        Assert.Equal(X, ChatTemplateResolver.Resolve(RecipeText.Parse($"models: [{{model: a}}]\nmerge_method: linear\nchat_template: \"{X}\"\n")));
        Assert.Null(ChatTemplateResolver.Resolve(RecipeText.Parse("models: [{model: a}]\nmerge_method: linear\n")));
    }

    [Fact]
    public void Auto_picks_the_template_most_models_carry_whatever_file_holds_it()
    {
        using var temp = new TempDirectory("evomerge-chat");
        Model(temp.Path, "base", Y, "chat_template.jinja");
        Model(temp.Path, "a", X, "string");
        Model(temp.Path, "b", "  " + X + "\n", "list");
        Model(temp.Path, "c", null, "string");
        var recipe = RecipeReader.Parse("models: [{model: a}, {model: b}, {model: c}]\nmerge_method: ties\nbase_model: base\nchat_template: auto\n",
            "recipe.yml", temp.Path);
        Assert.Equal(X, ChatTemplateResolver.Resolve(recipe));
    }

    [Fact]
    public void Auto_on_a_tie_takes_the_base_models_then_the_first_listed_and_nothing_when_no_model_has_one()
    {
        using var temp = new TempDirectory("evomerge-chat");
        Model(temp.Path, "base", Y, "string");
        Model(temp.Path, "a", X, "string");
        Model(temp.Path, "c", null, "string");
        string recipe = "models: [{model: a}, {model: base}]\nmerge_method: ties\nbase_model: base\nchat_template: auto\n";
        Assert.Equal(Y, ChatTemplateResolver.Resolve(RecipeReader.Parse(recipe, "recipe.yml", temp.Path)));
        Assert.Equal(X, ChatTemplateResolver.Resolve(RecipeReader.Parse(recipe.Replace("base_model: base\n", "", StringComparison.Ordinal), "recipe.yml", temp.Path)));
        Assert.Null(ChatTemplateResolver.Resolve(RecipeReader.Parse("models: [{model: c}]\nmerge_method: linear\nchat_template: auto\n", "recipe.yml", temp.Path)));
    }

    [Fact]
    public void A_model_whose_tokenizer_config_is_not_json_carries_no_template()
    {
        using var temp = new TempDirectory("evomerge-chat");
        Directory.CreateDirectory(Path.Combine(temp.Path, "a"));
        File.WriteAllText(Path.Combine(temp.Path, "a", "tokenizer_config.json"), "{ not json");
        Assert.Null(ChatTemplateResolver.ReadTemplate(Path.Combine(temp.Path, "a")));
        Assert.Null(ChatTemplateResolver.ReadTemplate(Path.Combine(temp.Path, "missing")));
    }

    /// <summary>A model directory whose tokenizer carries <paramref name="template"/> in the given form.</summary>
    private static void Model(string root, string name, string? template, string form)
    {
        string dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        var config = new JsonObject { ["tokenizer_class"] = "PreTrainedTokenizerFast" };
        if (template is not null && form == "chat_template.jinja") File.WriteAllText(Path.Combine(dir, "chat_template.jinja"), template + "\n");
        else if (template is not null && form == "string") config["chat_template"] = template;
        else if (template is not null) config["chat_template"] = new JsonArray(new JsonObject { ["name"] = "tool_use", ["template"] = "{{ tools }} unused template" },
            new JsonObject { ["name"] = "default", ["template"] = template });
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config.ToJsonString());
    }
}
