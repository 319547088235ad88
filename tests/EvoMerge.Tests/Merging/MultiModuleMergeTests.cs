using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging;

/// <summary>
/// Models with several layer stacks (the corpus's pico-LLaVA: text decoder and CLIP vision tower, inferred as mergekit's
/// auto.py does): <c>models:</c> merges every module, <c>slices:</c> is refused as mergekit refuses it, inspect lists the
/// modules, and the output config keeps its nested layer counts.
/// </summary>
public class MultiModuleMergeTests
{
    private static string Model(string name) => RepositoryPaths.Combine("tests", "fixtures", "mergekit", "models", name);

    [Fact]
    public void Slices_over_a_model_with_several_modules_are_refused_naming_the_modules()
    {
        string yaml = $"""
            merge_method: linear
            slices:
              - sources:
                  - model: {Model("vlm_a")}
                    layer_range: [0, 2]
                    parameters: {"{weight: 0.5}"}
                  - model: {Model("vlm_b")}
                    layer_range: [0, 2]
                    parameters: {"{weight: 0.5}"}
            dtype: float32
            """;
        var error = Assert.Throws<RecipeException>(() => MergePlanner.Build(RecipeReader.Parse(yaml, "vlm.yml", "/")));
        Assert.Contains("vlm.yml:3:", error.Message);
        Assert.Contains("the models have 2 layer modules (model.language_model.layers, model.vision_tower.vision_model.encoder.layers); give models: or modules:, not slices:", error.Message);
    }

    [Fact]
    public void Models_merge_every_module_with_the_layer_position_of_its_own_stack_and_keep_the_config_s_layer_counts()
    {
        string yaml = $"""
            merge_method: linear
            models:
              - model: {Model("vlm_a")}
                parameters: {"{weight: [1.0, 0.0]}"}
              - model: {Model("vlm_b")}
                parameters: {"{weight: [0.0, 1.0]}"}
            dtype: float32
            """;
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDirectory("multi-module");
        using (var plan = MergePlanner.Build(RecipeReader.Parse(yaml, "vlm.yml", "/")))
        {
            Assert.Equal(64, plan.Tensors.Count);
            Assert.Contains("is not a known architecture; merging it with the layout inferred from its tensor names", Assert.Single(plan.ArchitectureWarnings));
            var strict = Assert.Throws<EvoMerge.Merging.MergeException>(() => plan.ReportArchitectureWarnings(true, _ => { }));
            Assert.EndsWith("; refused by --strict", strict.Message);
            using var sink = ModelDirectorySink.Create(plan, dir.Combine("out"), SafetensorsWriter.DefaultMaxShardBytes, false);
            using var executor = new MergeExecutor(plan, new MergeExecutionOptions());
            executor.Run(sink);
        }
        using var a = ModelWeights.Open(Model("vlm_a"));
        using var b = ModelWeights.Open(Model("vlm_b"));
        using var merged = ModelWeights.Open(dir.Combine("out"));
        // A gradient [1, 0] over 2 layers: layer 0 (t = 0) is model a's, layer 1 (t = 1) model b's, in each stack;
        // loose weights take t = 0.
        foreach (var (name, from) in new[]
        {
            ("model.language_model.layers.0.mlp.up_proj.weight", a), ("model.language_model.layers.1.mlp.up_proj.weight", b),
            ("model.vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight", a), ("model.vision_tower.vision_model.encoder.layers.1.mlp.fc1.weight", b),
            ("model.multi_modal_projector.linear_1.weight", a), ("lm_head.weight", a),
        })
        {
            Assert.True(torch.allclose(from.Load(name), merged.Load(name), rtol: 0, atol: 0), name);
        }
        string config = File.ReadAllText(dir.Combine("out", "config.json"));
        Assert.DoesNotContain("\"num_hidden_layers\": 4", config, StringComparison.Ordinal);
        using var output = ModelDirectory.Open(dir.Combine("out"));
        Assert.False(output.Config.Raw.ContainsKey("num_hidden_layers"));
    }

    [Fact]
    public void Inspect_lists_the_modules()
    {
        using var model = ModelDirectory.Open(Model("vlm_a"));
        var summary = ModelSummary.Of(model);
        Assert.Equal("llava (unknown model_type, layout inferred from tensor names)", summary.Family);
        Assert.Equal(["model.language_model.layers.N. (2 layers, 9 tensors)", "model.vision_tower.vision_model.encoder.layers.N. (2 layers, 16 tensors)"], summary.Modules);
        Assert.Contains("modules        2: model.language_model.layers.N. (2 layers, 9 tensors), model.vision_tower", summary.ToText(), StringComparison.Ordinal);
    }
}
