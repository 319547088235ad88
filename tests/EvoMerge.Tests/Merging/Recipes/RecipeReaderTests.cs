using EvoMerge.Merging;
using EvoMerge.Merging.Recipes;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Recipes;

public class RecipeReaderTests
{
    [Fact]
    public void Slerp_example_keeps_slices_ranges_and_filtered_gradients()
    {
        var recipe = RecipeText.Parse("""
            slices:
              - sources:
                  - {model: orca, layer_range: [0, 40]}
                  - {model: platypus, layer_range: [0, 40]}
            merge_method: slerp
            base_model: orca
            parameters:
              t:
                - {filter: self_attn, value: [0, 0.5, 0.3, 0.7, 1]}
                - {filter: mlp,       value: [1, 0.5, 0.7, 0.3, 0]}
                - value: 0.5
            dtype: float16
            """);

        Assert.Equal("slerp", recipe.MergeMethod);
        Assert.Equal(5, recipe.MergeMethodLine);
        Assert.Equal(torch.ScalarType.Float16, recipe.DType);
        Assert.Null(recipe.OutDType);
        Assert.Equal("/models/orca", recipe.BaseModel!.Path);
        var slice = Assert.Single(recipe.Slices);
        Assert.Equal(["orca", "platypus"], slice.Sources.Select(s => s.Model.Name));
        Assert.All(slice.Sources, s => Assert.Equal(new LayerRange(0, 40), s.LayerRange));
        var t = Assert.IsType<ConditionalSetting>(recipe.Parameters.Get("t"));
        Assert.Equal(3, t.Branches.Count);
        Assert.Equal(0.25, t.Evaluate("model.layers.3.self_attn.q_proj.weight", 0.125)!.Value, 12);
        Assert.Equal(0.75, t.Evaluate("model.layers.3.mlp.up_proj.weight", 0.125)!.Value, 12);
        Assert.Equal(0.5, t.Evaluate("model.norm.weight", 0.9));
        Assert.Equal(recipe.BaseModel, recipe.ConfigDonor);
    }

    [Fact]
    public void Models_list_adds_an_unlisted_base_model_as_a_source_without_parameters()
    {
        var recipe = RecipeText.Parse("""
            models:
              - model: orca
                parameters: {density: [1, 0.7, 0.1], weight: 1.0}
              - model: ./platypus
                parameters: {density: 0.5, weight: [0, 0.3, 0.7, 1]}
              - model: wizard
                parameters:
                  density: 0.33
                  weight: [{filter: mlp, value: 0.5}, {value: 0}]
            merge_method: ties
            base_model: llama
            parameters: {normalize: true, int8_mask: true}
            dtype: float16
            """);

        var slice = Assert.Single(recipe.Slices);
        Assert.Equal(["orca", "./platypus", "wizard", "llama"], slice.Sources.Select(s => s.Model.Name));
        Assert.Equal("/models/platypus", slice.Sources[1].Model.Path);
        Assert.All(slice.Sources, s => Assert.Null(s.LayerRange));
        var added = slice.Sources[3];
        Assert.Equal("base_model", added.Label);
        Assert.Empty(added.Parameters.Names);
        Assert.Equal(["density", "weight"], slice.Sources[0].Parameters.Names);
        Assert.IsType<GradientSetting>(slice.Sources[0].Parameters.Get("density"));
        Assert.IsType<ConditionalSetting>(slice.Sources[2].Parameters.Get("weight"));
        var normalize = Assert.IsType<ScalarSetting>(recipe.Parameters.Get("normalize"));
        Assert.Equal(ParameterKind.Boolean, normalize.Kind);
        Assert.Equal(1.0, normalize.Value);
        Assert.Equal("llama", recipe.ConfigDonor.Name);
    }

    [Fact]
    public void A_listed_base_model_is_not_added_twice_and_the_first_model_donates_without_base()
    {
        var withBase = RecipeText.Parse("models: [{model: a}, {model: b}]\nmerge_method: linear\nbase_model: ./b\n");
        Assert.Equal(2, withBase.Slices[0].Sources.Count);

        var withoutBase = RecipeText.Parse("models: [{model: a}, {model: b}]\nmerge_method: linear\n");
        Assert.Equal("a", withoutBase.ConfigDonor.Name);
    }

    [Fact]
    public void Passthrough_slices_keep_their_order_and_ranges()
    {
        var recipe = RecipeText.Parse("""
            slices:
              - sources: [{model: orca, layer_range: [0, 24]}]
              - sources: [{model: platypus, layer_range: [20, 40]}]
            merge_method: passthrough
            dtype: float16
            """);
        Assert.Equal(2, recipe.Slices.Count);
        Assert.Equal(new LayerRange(0, 24), recipe.Slices[0].Sources[0].LayerRange);
        Assert.Equal(new LayerRange(20, 40), recipe.Slices[1].Sources[0].LayerRange);
        Assert.Equal("slices[1].sources[0]", recipe.Slices[1].Sources[0].Label);
    }

    [Fact]
    public void Relative_model_paths_resolve_against_the_recipe_directory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "evomerge-reader-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string file = Path.Combine(dir, "r.yml");
            File.WriteAllText(file, "models: [{model: ../x}, {model: /abs/y}]\nmerge_method: linear\n");
            var recipe = RecipeReader.ReadFile(file);
            Assert.Equal(Path.GetFullPath(Path.Combine(dir, "..", "x")), recipe.Slices[0].Sources[0].Model.Path);
            Assert.Equal("/abs/y", recipe.Slices[0].Sources[1].Model.Path);
            Assert.Equal(file, recipe.File);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Tokenizer_source_base_or_model_and_a_raw_chat_template_are_accepted()
    {
        var recipe = RecipeText.Parse("""
            models: [{model: a}, {model: b}]
            merge_method: linear
            tokenizer_source: b
            chat_template: "{% for m in messages %}{{ m.content }}{% endfor %}"
            """);
        Assert.Equal("/models/b", recipe.TokenizerSource!.Path);
        Assert.StartsWith("{% for m", recipe.ChatTemplate);
        Assert.Null(RecipeText.Parse("models: [{model: a}]\nmerge_method: linear\ntokenizer_source: base\n").TokenizerSource);
    }

    // EvoMerge writes the documented formats; mergekit's bundled files differ in whitespace (docs/merge-semantics.md, Chat templates).
    [Theory]
    [InlineData("alpaca", "chat_template 'alpaca': mergekit's bundled alpaca.jinja renders the generation prompt after a user turn without the blank line before '### Response:'; EvoMerge writes the documented Alpaca format")]
    [InlineData("llama3", "chat_template 'llama3': mergekit's bundled llama3.jinja renders a newline after every <|eot_id|>; EvoMerge writes Meta's documented Llama 3 format, without it")]
    [InlineData("exaone", "chat_template 'exaone': mergekit's bundled exaone.jinja is indented, so it renders runs of spaces and extra newlines around every turn; EvoMerge writes LG's documented EXAONE format")]
    [InlineData("chatml", null)]
    [InlineData("mistral", null)]
    [InlineData("auto", null)]
    public void A_bundled_template_that_renders_unlike_mergekits_file_is_one_warning_naming_the_difference(string name, string? expected)
    {
        var recipe = RecipeText.Parse($"models: [{{model: a}}]\nmerge_method: linear\nchat_template: {name}\n");
        Assert.Equal(expected is null ? [] : [$"recipe.yml:3: {expected}"], recipe.Warnings.Select(w => w.ToString()));
    }

    [Theory]
    [InlineData("alpaca")]
    [InlineData("chatml")]
    [InlineData("exaone")]
    [InlineData("llama3")]
    [InlineData("mistral")]
    [InlineData("auto")]
    public void A_bundled_chat_template_name_or_auto_is_accepted_as_written(string name) =>
        Assert.Equal(name, RecipeText.Parse($"models: [{{model: a}}]\nmerge_method: linear\nchat_template: {name}\n").ChatTemplate);

    // mergekit's configuration models ignore keys they do not declare; EvoMerge ignores them too, one warning each.
    [Theory]
    [InlineData("models: [{model: a}]\nmerge_method: linear\nmerge_methd: ties\n", 3, "unknown key 'merge_methd' in the top level (did you mean 'merge_method'?)")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ndensty: 1\n", 3,
        "unknown key 'densty' in the top level (its keys: merge_method, base_model, models, slices, modules, parameters, dtype, out_dtype, tokenizer_source, tokenizer, chat_template, proxy_tasks, proxy_prompts)")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\nnotes: {owner: [me, {x: 1}]}\n", 3, "unknown key 'notes' in the top level (its keys: ")]
    [InlineData("models:\n  - model: a\n  - model: b\n    paramters: {weight: 1}\nmerge_method: linear\n", 4, "unknown key 'paramters' in models[1] (did you mean 'parameters'?)")]
    [InlineData("slices:\n  - sources:\n      - {model: a, layer_range: [0, 2], wieght: 1}\nmerge_method: linear\n", 3,
        "unknown key 'wieght' in slices[0].sources[0] (its keys: model, layer_range, parameters)")]
    [InlineData("slices:\n  - sources:\n      - {model: a, layer_range: [0, 2]}\n    residual_weigth: 1\nmerge_method: linear\n", 4,
        "unknown key 'residual_weigth' in slices[0] (did you mean 'residual_weight'?)")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\nparameters:\n  weight: [{filter: mlp, valeu: 2, value: 1}]\n", 4,
        "unknown key 'valeu' in parameters.weight[0] (did you mean 'value'?)")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ntokenizer:\n  pad_to_multipl: 8\n", 4, "unknown key 'pad_to_multipl' in tokenizer (its keys: source, tokens, pad_to_multiple_of)")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ntokenizer:\n  tokens:\n    <x>: {source: a, forse: true}\n", 5,
        "unknown key 'forse' in tokenizer.tokens['<x>'] (did you mean 'force'?)")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ntokenizer:\n  tokens:\n    <x>: {source: {kind: zero, model: a}}\n", 5,
        "unknown key 'model' in tokenizer.tokens['<x>'].source (its keys: kind)")]
    [InlineData("modules:\n  default: {models: [{model: a}], weight: 1}\nmerge_method: linear\n", 2, "unknown key 'weight' in modules.default (its keys: models, slices, parameters)")]
    public void Unknown_keys_are_ignored_with_one_warning_naming_the_line_the_key_and_the_nearest_key(string yaml, int line, string problem)
    {
        var recipe = RecipeText.Parse(yaml);
        var warning = Assert.Single(recipe.Warnings);
        Assert.Equal(line, warning.Line);
        Assert.StartsWith(problem, warning.Problem, StringComparison.Ordinal);
        Assert.Equal($"recipe.yml:{line}: {warning.Problem}; ignored, as mergekit does", warning.ToString());
        Assert.Equal("linear", recipe.MergeMethod);
    }

    [Fact]
    public void Unknown_keys_are_reported_in_line_order_and_leave_the_known_keys_as_read()
    {
        var recipe = RecipeText.Parse("""
            models:
              - model: a
                paramters: {weight: 1}
                parameters: {weight: 0.5}
            merge_method: linear
            dtpye: float16
            dtype: float32
            """);
        Assert.Equal([(3, "unknown key 'paramters' in models[0] (did you mean 'parameters'?)"), (6, "unknown key 'dtpye' in the top level (did you mean 'dtype'?)")],
            recipe.Warnings.Select(w => (w.Line, w.Problem)));
        Assert.Equal(torch.ScalarType.Float32, recipe.DType);
        Assert.Equal(0.5, recipe.Slices[0].Sources[0].Parameters.Get("weight")!.Evaluate("x", 0));
        Assert.Empty(RecipeText.Parse("models: [{model: a}]\nmerge_method: linear\n").Warnings);
    }

    [Theory]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ntokenizer_source: union\ntokenizer:\n  source: union\n", 4,
        "give either tokenizer_source: or tokenizer:, not both")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ntokenizer:\n  pad_to_multiple_of: 0\n", 4, "tokenizer.pad_to_multiple_of must be a positive whole number, got 0")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ntokenizer:\n  pad_to_multiple_of: -8\n", 4, "tokenizer.pad_to_multiple_of must be a positive whole number, got -8")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ntokenizer:\n  tokens:\n    <x>: {source: c}\n", 5,
        "tokenizer.tokens['<x>'].source 'c' is not a model of the recipe (a)")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ntokenizer:\n  tokens:\n    <x>: {source: {kind: one}}\n", 5,
        "tokenizer.tokens['<x>'].source.kind 'one' is not one of: zero, model_token")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ntokenizer:\n  tokens:\n    <x>: {source: {kind: model_token, model: a, token: y, token_id: 3}}\n", 5,
        "tokenizer.tokens['<x>'].source needs exactly one of token and token_id")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ntokenizer:\n  tokens:\n    <x>: {source: {kind: model_token, model: b, token_id: 3}}\n", 5,
        "tokenizer.tokens['<x>'].source.model 'b' is not a model of the recipe (a)")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ntokenizer:\n  tokens:\n    <x>: {source: a, force: yes}\n", 5, "tokenizer.tokens['<x>'].force: expected a number or true/false, found 'yes'")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ntokenizer:\n  tokens:\n    <x>: {source: a, force: 1}\n", 5, "tokenizer.tokens['<x>'].force must be true or false")]
    [InlineData("modules:\n  text: {models: [{model: a}], slices: []}\nmerge_method: linear\n", 2, "modules.text: give either models: or slices:, not both")]
    [InlineData("modules:\n  default: {models: [{model: a}]}\nmodels: [{model: a}]\nmerge_method: linear\n", 3, "give one of models:, slices: or modules:, not several")]
    [InlineData("modules:\n  default: {parameters: {t: 1}}\nmerge_method: linear\n", 2, "modules.default: missing 'models:' or 'slices:'")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\nchat_template: chatml2\n", 3,
        "recipe.yml:3: chat_template 'chatml2' is neither a template name (alpaca, chatml, exaone, llama3, mistral or auto) nor a Jinja template (at least 20 characters, containing '{')")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\nchat_template: templates/chatml.jinja\n", 3, "chat_template 'templates/chatml.jinja' is neither a template name")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\nchat_template: ChatML\n", 3, "chat_template 'ChatML' is neither a template name")]
    [InlineData("models:\n  - model: a+lora+more\nmerge_method: linear\n", 2, "models[0].model 'a+lora+more': a model is MODEL or MODEL+LORA_ADAPTER; found 2 '+'")]
    [InlineData("models:\n  - model: a+\nmerge_method: linear\n", 2, "MODEL+LORA_ADAPTER needs both a model and an adapter directory")]
    [InlineData("models:\n  - model: a@v1@v2\nmerge_method: linear\n", 2, "models[0].model 'a@v1@v2': write MODEL or MODEL@REVISION (mergekit refuses it too)")]
    [InlineData("models:\n  - model: a@\nmerge_method: linear\n", 2, "write MODEL or MODEL@REVISION")]
    [InlineData("models: [{model: a}]\nslices: []\nmerge_method: linear\n", 2, "either models: or slices:, not both")]
    [InlineData("merge_method: linear\nparameters: {t: 1}\n", 1, "missing 'models:' or 'slices:'")]
    [InlineData("models: [{model: a}]\n", 1, "missing required key 'merge_method'")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\ndtype: int8\n", 3, "dtype 'int8' is not a known dtype")]
    [InlineData("models: [{model: a}]\nmerge_method: linear\nout_dtype: int64\n", 3, "not supported for merging")]
    [InlineData("slices:\n  - sources:\n      - {model: a, layer_range: [0, x]}\nmerge_method: linear\n", 3, "expected a number or true/false, found 'x'")]
    [InlineData("slices:\n  - sources:\n      - {model: a, layer_range: [3, 1]}\nmerge_method: linear\n", 3, "ends before it starts")]
    [InlineData("slices:\n  - sources:\n      - {model: a, layer_range: [0, 2]}\n      - {model: b, layer_range: [0, 3]}\nmerge_method: linear\n", 2, "must span the same number of layers (a: 2, b: 3)")]
    [InlineData("slices:\n  - sources:\n      - {model: a}\nmerge_method: linear\n", 3, "missing required key 'layer_range'")]
    [InlineData("models:\n  - model: a\n    parameters:\n      weight: \"high\"\nmerge_method: linear\n", 4, "models[0].parameters.weight: expected a number or true/false, found 'high'")]
    [InlineData("models:\n  - model: a\n    parameters:\n      weight: [1, true]\nmerge_method: linear\n", 4, "mixes numbers and booleans")]
    [InlineData("models:\n  - model: a\n    parameters:\n      weight: {filter: mlp, value: 1}\nmerge_method: linear\n", 4, "must be an item of a list")]
    [InlineData("models:\n  - model: a\n    parameters:\n      weight: [{filter: mlp}]\nmerge_method: linear\n", 4, "needs a 'value'")]
    [InlineData("models:\n  - model: a\n  - model: ./a\nmerge_method: linear\n", 3, "listed twice in models (also at line 2)")]
    [InlineData("models: [{model: a}\nmerge_method: linear\n", 1, "not valid YAML")]
    [InlineData("models:\n  - model: a\n  merge_method: linear\n", 3, "not valid YAML")]
    public void Bad_recipes_name_the_line_and_the_problem(string yaml, int line, string problem)
    {
        var error = RecipeText.Error(yaml);
        Assert.Equal(line, error.Line);
        Assert.StartsWith($"recipe.yml:{line}: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Residual_weight_is_parsed_and_ignored_like_mergekit()
    {
        var recipe = RecipeText.Parse("slices:\n  - sources: [{model: a, layer_range: [0, 1]}]\n    residual_weight: 0.5\nmerge_method: passthrough\n");
        Assert.Single(recipe.Slices);
        var error = RecipeText.Error("slices:\n  - sources: [{model: a, layer_range: [0, 1]}]\n    residual_weight: a\nmerge_method: passthrough\n");
        Assert.Equal("recipe.yml:3: slices[0].residual_weight: expected a number or true/false, found 'a'", error.Message);
    }

    [Fact]
    public void Null_parameter_values_count_as_unset()
    {
        var recipe = RecipeText.Parse("models:\n  - model: a\n    parameters: {weight: null, density: ~}\nmerge_method: ties\nbase_model: b\n");
        Assert.Empty(recipe.Slices[0].Sources[0].Parameters.Names);
    }
}
