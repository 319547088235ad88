using EvoMerge.Merging;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Execution;

/// <summary>Bad input fails before anything is written: the output directory is never created.</summary>
public class MergeValidationTests
{
    private const string TwoModelLinear = "models:\n  - model: a\n    parameters: {weight: 1}\n  - model: b\n    parameters: {weight: 1}\nmerge_method: linear\n";

    private static (RecipeWorkspace Workspace, TinyDecoderSpec Spec) TwoModels(Action<List<(string Name, torch.Tensor Tensor)>>? editB = null)
    {
        var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(layers: 2);
        ws.Model("a", spec, 1);
        ws.Model("b", spec, 2, editB);
        return (ws, spec);
    }

    private static TException Fails<TException>(RecipeWorkspace ws, string yaml) where TException : Exception
    {
        var error = Assert.Throws<TException>(() => ws.Merge(yaml));
        Assert.False(Directory.Exists(ws.Out), "the output directory must not be created");
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    [Fact]
    public void The_plan_carries_unknown_keys_as_warnings_before_the_parameters_the_method_ignores_and_strict_refuses_the_first()
    {
        var (ws, _) = TwoModels();
        using (ws)
        {
            using var plan = ws.Plan("models:\n  - model: a\n    parameters: {weight: 1, t: 0.5}\n  - model: b\n    parameters: {weight: 1}\nmerge_method: linear\nnormalise: true\n");
            string recipe = Path.Combine(ws.Root, "recipe.yml");
            string unknown = $"{recipe}:7: unknown key 'normalise' in the top level (its keys: merge_method, base_model, models, slices, modules, parameters, dtype, out_dtype, tokenizer_source, tokenizer, chat_template, proxy_tasks, proxy_prompts)";
            Assert.Equal(
                [$"{unknown}; ignored, as mergekit does", $"{recipe}:3: 't' in models[0].parameters is not a parameter of linear (its parameters: normalize, weight); ignored, as mergekit does"],
                plan.Warnings.Select(w => w.ToString()));
            var strict = Assert.Throws<RecipeException>(() => RecipeWarning.Report(plan.Warnings, strict: true, _ => { }));
            Assert.Equal($"{unknown}; refused by --strict", strict.Message);
        }
    }

    [Fact]
    public void A_missing_model_directory_names_the_recipe_line_and_the_path()
    {
        var (ws, _) = TwoModels();
        using (ws)
        {
            var error = Fails<RecipeException>(ws, TwoModelLinear.Replace("model: b", "model: nowhere"));
            Assert.Equal(4, error.Line);
            Assert.Contains($"model 'nowhere': directory {Path.Combine(ws.Root, "nowhere")} not found", error.Message);
        }
    }

    [Fact]
    public void Mismatched_shapes_name_the_tensor_and_both_shapes()
    {
        var (ws, _) = TwoModels(weights =>
        {
            int i = weights.FindIndex(w => w.Name == "model.layers.1.mlp.up_proj.weight");
            weights[i].Tensor.Dispose();
            weights[i] = (weights[i].Name, torch.zeros(20, 16));
        });
        using (ws)
        {
            var error = Fails<RecipeException>(ws, TwoModelLinear);
            Assert.Equal("recipe.yml:4: tensor 'model.layers.1.mlp.up_proj.weight' has shape [20, 16] in model 'b' but [24, 16] in model 'a' ('model.layers.1.mlp.up_proj.weight')",
                error.Message.Replace(ws.Root + "/", ""));
        }
    }

    [Fact]
    public void A_tensor_missing_in_one_source_names_the_model_and_the_tensor()
    {
        var (ws, _) = TwoModels(weights =>
        {
            int i = weights.FindIndex(w => w.Name == "model.layers.0.self_attn.k_proj.weight");
            weights[i].Tensor.Dispose();
            weights.RemoveAt(i);
        });
        using (ws)
        {
            var error = Fails<RecipeException>(ws, TwoModelLinear);
            Assert.Equal($"recipe.yml:4: model 'b' ({Path.Combine(ws.Root, "b")}) has no tensor 'model.layers.0.self_attn.k_proj.weight'",
                error.Message.Replace(ws.Root + "/recipe.yml", "recipe.yml"));
        }
    }

    [Fact]
    public void A_model_of_an_unknown_type_merges_by_tensor_names_with_two_warnings_as_mergekit_infers_from_every_model()
    {
        var (ws, _) = TwoModels();
        using (ws)
        {
            ws.SetConfigField("b", "model_type", "falcon");
            string bConfig = Path.Combine(ws.Root, "b", "config.json");
            using (var plan = ws.Plan(TwoModelLinear))
            {
                Assert.Equal(2, plan.ArchitectureWarnings.Count);
                Assert.StartsWith($"{bConfig}: model_type 'falcon' is not a known architecture; ", plan.ArchitectureWarnings[0]);
                Assert.Equal($"{bConfig}: model_type differs between models ('b' has falcon, 'a' llama); merged by tensor names with the layout inferred from every model, as mergekit does",
                    plan.ArchitectureWarnings[1]);
                Assert.StartsWith(bConfig, Assert.Throws<MergeException>(() => plan.ReportArchitectureWarnings(true, _ => { })).Message);
            }
            ws.Merge(TwoModelLinear);
            const string name = "model.layers.1.mlp.down_proj.weight";
            using var a = ws.Load(Path.Combine(ws.Root, "a"), name);
            using var b = ws.Load(Path.Combine(ws.Root, "b"), name);
            using var merged = ws.Load(ws.Out, name);
            using var mean = torch.stack([a, b]).mean([0]);
            Assert.True(mean.allclose(merged, rtol: 0, atol: 1e-6));
        }
    }

    [Fact]
    public void Models_of_different_architectures_are_an_error()
    {
        using var ws = new RecipeWorkspace();
        ws.Model("a", RecipeWorkspace.Spec(layers: 2), 1);
        ws.Model("b", RecipeWorkspace.Spec(layers: 2) with { ModelType = "qwen3" }, 2);
        var error = Fails<ModelConfigException>(ws, TwoModelLinear);
        Assert.Contains("architecture differs between models", error.Message);
    }

    [Fact]
    public void Models_with_different_layer_counts_cannot_be_listed_under_models()
    {
        using var ws = new RecipeWorkspace();
        ws.Model("a", RecipeWorkspace.Spec(layers: 2), 1);
        ws.Model("b", RecipeWorkspace.Spec(layers: 3), 2);
        var error = Fails<RecipeException>(ws, TwoModelLinear);
        Assert.Contains("'b' has 3 layers but 'a' has 2; all sources of models must span the same number of layers", error.Message);
    }

    [Fact]
    public void A_layer_range_past_the_last_layer_is_an_error()
    {
        var (ws, _) = TwoModels();
        using (ws)
        {
            var error = Fails<RecipeException>(ws, "slices:\n  - sources: [{model: a, layer_range: [1, 3]}]\nmerge_method: passthrough\n");
            Assert.Equal(2, error.Line);
            Assert.Contains("slices[0].sources[0].layer_range [1, 3) goes past the last layer of 'a', which has 2 layers", error.Message);
        }
    }

    [Theory]
    [InlineData("models: [{model: a}, {model: b}, {model: c}]\nmerge_method: slerp\nbase_model: a\nparameters: {t: 0.5}\n", 1,
        "slerp merges exactly 1 model(s) besides the base model; models gives 2")]
    [InlineData("models: [{model: a}, {model: b}]\nmerge_method: passthrough\n", 1, "passthrough merges exactly 1 model(s); models gives 2")]
    [InlineData("models: [{model: a, parameters: {weight: 1}}]\nmerge_method: ties\n", 2, "ties needs a base_model")]
    [InlineData("slices:\n  - sources:\n      - {model: a, layer_range: [0, 2]}\n      - {model: b, layer_range: [0, 2]}\nmerge_method: slerp\nbase_model: c\nparameters: {t: 0.5}\n", 2,
        "base_model 'c' is not among the sources of slices[0]")]
    [InlineData("models: [{model: a}]\nmerge_method: frobnicate\n", 2, "unknown merge_method 'frobnicate' (known: ")]
    [InlineData("models:\n  - model: a\n    parameters: {weight: 1}\n  - model: b\nmerge_method: linear\n", 4,
        "model 'b' (models[1]) has no value for required parameter 'weight' of linear")]
    [InlineData("models: [{model: a}, {model: b}]\nmerge_method: linear\ntokenizer:\n  tokens:\n    <x>: {source: {kind: model_token, model: c, token_id: 0}}\nparameters: {weight: 1}\n", 5,
        "tokenizer.tokens['<x>'].source.model 'c' is not a model of the recipe (a, b)")]
    public void Recipe_errors_name_the_line(string yaml, int line, string problem)
    {
        var (ws, _) = TwoModels();
        using (ws)
        {
            var error = Fails<RecipeException>(ws, yaml);
            Assert.Equal(line, error.Line);
            Assert.StartsWith($"{Path.Combine(ws.Root, "recipe.yml")}:{line}: ", error.Message);
            Assert.Contains(problem, error.Message);
        }
    }

    [Fact]
    public void A_non_empty_output_directory_needs_allow_overwrite_and_an_input_directory_is_never_overwritten()
    {
        var (ws, _) = TwoModels();
        using (ws)
        {
            Directory.CreateDirectory(ws.Out);
            File.WriteAllText(Path.Combine(ws.Out, "keep.txt"), "x");
            var error = Assert.Throws<MergeException>(() => ws.Merge(TwoModelLinear));
            Assert.Contains("output directory exists and is not empty", error.Message);
            Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(ws.Out).Select(Path.GetFileName));

            ws.Merge(TwoModelLinear, allowOverwrite: true);
            Assert.True(File.Exists(Path.Combine(ws.Out, "model.safetensors")));

            using var plan = ws.Plan(TwoModelLinear);
            var intoInput = Assert.Throws<MergeException>(() => EvoMerge.Merging.Execution.ModelDirectorySink.Create(plan, Path.Combine(ws.Root, "a"), allowOverwrite: true));
            Assert.Contains($"resolves to the recipe's model 'a' at {Path.Combine(ws.Root, "a")}", intoInput.Message);
        }
    }
}
