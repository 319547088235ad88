using EvoMerge.Demo;
using EvoMerge.Evaluation;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Search.Routed;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Routed;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search.Routed;

/// <summary><c>merge_method: routed</c> recipes: reading, refusals, and a whole merge into a routed model that eval reads.</summary>
public sealed class RoutedMergeRecipeTests
{
    private const string Recipe = """
        merge_method: routed
        base_model: models/base
        models:
          - model: models/a
            parameters: {weight: 0.5}
          - model: models/b
            parameters: {weight: 0.5}
        routed:
          backbone: task_arithmetic
          rank: 64
          router: {layer: 1, temperature: 0.5, granularity: token, top_k: 2}
        proxy_tasks:
          models/a: tasks/a.yml
          models/b: tasks/b.yml
        proxy_prompts: 4
        dtype: float32

        """;

    [Fact]
    public void A_routed_recipe_is_the_backbone_recipe_plus_the_block()
    {
        using var root = new TempDirectory("evomerge-routed-recipe");
        WriteProblem(root);
        var recipe = RoutedMergeRecipe.Of(RecipeReader.Parse(Recipe, "r.yml", root.Path))!;
        Assert.Equal("task_arithmetic", recipe.Backbone.MergeMethod);
        Assert.Empty(recipe.Backbone.ProxyTasks);
        Assert.Empty(recipe.Backbone.Warnings);
        Assert.Equal(["models/a", "models/b"], recipe.Experts.Select(e => e.Name));
        Assert.Equal([root.Combine("tasks", "a.yml"), root.Combine("tasks", "b.yml")], recipe.ProxyTasks);
        Assert.Equal(4, recipe.PromptCount);
        Assert.Equal(new RoutedExpertsConfig
        {
            Experts = 2, Sources = recipe.Block.Sources, Rank = 64, RouterLayer = 1, Temperature = 0.5, Granularity = RoutingGranularity.Token, TopK = 2,
        }, recipe.Block);
        Assert.Equal(["models/a", "models/b"], recipe.Block.Sources);
        Assert.Null(RoutedMergeRecipe.Of(RecipeReader.Parse(Recipe.Replace("merge_method: routed", "merge_method: ties", StringComparison.Ordinal), "r.yml", root.Path)));
        var unknown = RoutedMergeRecipe.Of(RecipeReader.Parse(Recipe.Replace("  rank: 64", "  rank: 64\n  rnak: 3", StringComparison.Ordinal), "r.yml", root.Path))!;
        Assert.Contains(unknown.Backbone.Warnings, w => w.Problem.Contains("'rnak' in routed", StringComparison.Ordinal) && w.Line == 11);
    }

    [Theory]
    [InlineData("  rank: 64\n", "  rank: 64\n  energy: 0.9\n", "r.yml:8: routed: give exactly one of rank")]
    [InlineData("  rank: 64\n", "", "r.yml:8: routed: give exactly one of rank")]
    [InlineData("  backbone: task_arithmetic\n", "  backbone: tise\n", "r.yml:9: routed.backbone: unknown merge method 'tise'")]
    [InlineData("top_k: 2", "top_k: 3", "r.yml:11: routed.router.top_k must be 1 … 2")]
    [InlineData("granularity: token", "granularity: word", "r.yml:11: routed.router.granularity 'word' is not supported")]
    [InlineData("temperature: 0.5", "temperature: -1", "r.yml:11: routed.router.temperature must be a positive number")]
    [InlineData("  models/b: tasks/b.yml\n", "", "needs proxy_tasks to name an eval task for model 'models/b'")]
    [InlineData("routed:\n", "routing:\n", "r.yml:1: merge_method routed needs a 'routed:' mapping")]
    public void Bad_routed_settings_name_the_file_line_and_field(string find, string replace, string expected)
    {
        using var root = new TempDirectory("evomerge-routed-recipe");
        WriteProblem(root);
        var error = Assert.Throws<RecipeException>(() => RoutedMergeRecipe.Of(RecipeReader.Parse(Recipe.Replace(find, replace, StringComparison.Ordinal), "r.yml", root.Path)));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("[0, 1]", "[1, 2]", true)]
    [InlineData("[1, 2]", "[0, 1]", false)]
    [InlineData("[0, 1]", "[0, 1]", false)]
    public void Slices_are_accepted_only_when_they_keep_every_models_layers_in_order(string first, string second, bool accepted)
    {
        using var root = new TempDirectory("evomerge-routed-recipe");
        WriteProblem(root);
        string Slice(string range) =>
            $"  - sources:\n      - model: models/base\n        layer_range: {range}\n"
            + $"      - model: models/a\n        layer_range: {range}\n        parameters: {{weight: 0.5}}\n"
            + $"      - model: models/b\n        layer_range: {range}\n        parameters: {{weight: 0.5}}\n";
        string models = "models:\n  - model: models/a\n    parameters: {weight: 0.5}\n  - model: models/b\n    parameters: {weight: 0.5}\n";
        string text = Recipe.Replace(models, "slices:\n" + Slice(first) + Slice(second), StringComparison.Ordinal);
        Assert.Contains("slices:", text, StringComparison.Ordinal);
        var parsed = RecipeReader.Parse(text, "r.yml", root.Path);
        if (accepted)
        {
            var recipe = RoutedMergeRecipe.Of(parsed)!;
            Assert.Equal(2, recipe.Backbone.Slices.Count);
            Assert.Equal(["models/a", "models/b"], recipe.Experts.Select(e => e.Name));
            return;
        }
        var error = Assert.Throws<RecipeException>(() => RoutedMergeRecipe.Of(parsed));
        Assert.Contains("r.yml:1: merge_method routed needs a models: recipe, or slices that list the same models", error.Message);
    }

    [Fact]
    public void A_routed_merge_writes_the_backbone_and_full_rank_factors_that_restore_each_source_and_eval_reads_it()
    {
        using var root = new TempDirectory("evomerge-routed-merge");
        var problem = WriteProblem(root);
        string recipeFile = root.Combine("routed.yml");
        File.WriteAllText(recipeFile, Recipe);
        string output = root.Combine("out");
        using (var merge = RecipeMergeRun.Open(recipeFile))
        {
            Assert.Equal("task_arithmetic", merge.Plan.Method.Name);
            using (var sink = ModelDirectorySink.Create(merge.Plan, output, SafetensorsWriter.DefaultMaxShardBytes, allowOverwrite: false))
            using (var executor = new MergeExecutor(merge.Plan, new MergeExecutionOptions()))
                executor.Run(sink);
            merge.Complete(output, SafetensorsWriter.DefaultMaxShardBytes);
        }

        Assert.Throws<ModelConfigException>(() => ModelDirectory.Open(output));
        using var routed = ModelDirectory.OpenRoutedAware(output);
        var block = RoutedExpertsConfig.Read(routed.Config, routed.ConfigPath)!;
        Assert.Equal((2, 1, 2, RoutingGranularity.Token), (block.Experts, block.RouterLayer, block.TopK, block.Granularity));
        Assert.True(File.Exists(Path.Combine(output, "tokenizer.json")));
        // Full rank: expert s's B·A is source s minus the backbone the file holds, for every routed weight of layers ≥ 1.
        using var scope = torch.NewDisposeScope();
        for (int s = 0; s < 2; s++)
        {
            using var source = ModelDirectory.Open(s == 0 ? problem.SpecialistA : problem.SpecialistB);
            foreach (string name in new[] { "model.layers.1.self_attn.k_proj.weight", "model.layers.1.mlp.down_proj.weight" })
            {
                var a = routed.Weights.Load(RoutedExpertsConfig.FactorName(name, s, "lora_A"));
                var b = routed.Weights.Load(RoutedExpertsConfig.FactorName(name, s, "lora_B"));
                var residual = source.Weights.Load(name).sub(routed.Weights.Load(name));
                Assert.True(b.matmul(a).sub(residual).abs().max().item<float>() < 1e-4, $"{name} expert {s}");
            }
        }
        Assert.False(routed.Weights.Contains(RoutedExpertsConfig.FactorName("model.layers.0.self_attn.q_proj.weight", 0, "lora_A")));
        var evaluation = ModelEvaluation.Run(output, [problem.TaskA], 4, null, run => run(new Progress<EvalProgress>()));
        Assert.Single(evaluation.Result.Tasks);
    }

    private static TinySpecialists.Layout WriteProblem(TempDirectory root) => RoutedSpecialists.Write(root.Path);
}
