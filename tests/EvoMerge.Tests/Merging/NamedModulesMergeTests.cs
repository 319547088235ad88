using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging;

/// <summary>
/// mergekit's <c>modules:</c> form naming the modules of a multi-module model (the corpus's pico-LLaVA, whose modules
/// as mergekit's auto.py infers them are <c>default</c> for the loose weights and one per layer stack): each module
/// merges with its own slices, models and parameters; a module the recipe does not name is not written; another
/// name is refused naming the models' modules. Expected tensors are the linear formula worked on the inputs.
/// </summary>
public class NamedModulesMergeTests
{
    private const string Text = "model.language_model.layers";
    private const string Vision = "model.vision_tower.vision_model.encoder.layers";

    private static string Model(string name) => RepositoryPaths.Combine("tests", "fixtures", "mergekit", "models", name);

    [Fact]
    public void Each_named_module_merges_with_its_own_slices_and_parameters()
    {
        string yaml = $$"""
            merge_method: linear
            modules:
              default:
                models:
                  - model: {{Model("vlm_a")}}
                    parameters: {weight: 1.0}
                  - model: {{Model("vlm_b")}}
                    parameters: {weight: 0.0}
              {{Text}}:
                slices:
                  - sources:
                      - model: {{Model("vlm_b")}}
                        layer_range: [1, 2]
                        parameters: {weight: 1.0}
                      - model: {{Model("vlm_a")}}
                        layer_range: [0, 1]
                        parameters: {weight: 3.0}
                parameters: {normalize: false}
              {{Vision}}:
                models:
                  - model: {{Model("vlm_a")}}
                  - model: {{Model("vlm_b")}}
                parameters: {weight: 0.5}
            dtype: float32
            """;
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDirectory("named-modules");
        using (var plan = MergePlanner.Build(RecipeReader.Parse(yaml, "vlm.yml", "/")))
        {
            // 14 loose weights, 1 text layer of 9 tensors, 2 vision layers of 16.
            Assert.Equal(14 + 9 + 32, plan.Tensors.Count);
            Assert.Contains($"[module {Text}]", MergePlanSummary.Describe(plan), StringComparison.Ordinal);
            using var sink = ModelDirectorySink.Create(plan, dir.Combine("out"), SafetensorsWriter.DefaultMaxShardBytes, false);
            using var executor = new MergeExecutor(plan, new MergeExecutionOptions());
            executor.Run(sink);
        }
        using var a = ModelWeights.Open(Model("vlm_a"));
        using var b = ModelWeights.Open(Model("vlm_b"));
        using var merged = ModelWeights.Open(dir.Combine("out"));
        // default: weights 1 and 0, normalized: model a's loose weights.
        foreach (string name in new[] { "lm_head.weight", "model.language_model.embed_tokens.weight", "model.multi_modal_projector.linear_1.weight", "model.vision_tower.vision_model.post_layernorm.weight" })
            Assert.True(torch.allclose(a.Load(name), merged.Load(name), rtol: 0, atol: 0), name);
        // The text slice: output layer 0 = 1·(b's layer 1) + 3·(a's layer 0), not normalized; no output layer 1.
        var text = b.Load($"{Text}.1.mlp.up_proj.weight") + 3.0 * a.Load($"{Text}.0.mlp.up_proj.weight");
        Assert.True(torch.allclose(text, merged.Load($"{Text}.0.mlp.up_proj.weight"), rtol: 0, atol: 1e-6));
        Assert.False(merged.Contains($"{Text}.1.mlp.up_proj.weight"));
        // The vision module: weight 0.5 each from its module parameters, normalized: the mean, layer by layer.
        for (int i = 0; i < 2; i++)
        {
            var vision = (a.Load($"{Vision}.{i}.mlp.fc1.weight") + b.Load($"{Vision}.{i}.mlp.fc1.weight")) / 2.0;
            Assert.True(torch.allclose(vision, merged.Load($"{Vision}.{i}.mlp.fc1.weight"), rtol: 0, atol: 1e-6), $"vision layer {i}");
        }
    }

    [Fact]
    public void A_module_the_recipe_does_not_name_is_not_written_with_a_warning()
    {
        string yaml = $$"""
            merge_method: linear
            modules:
              default:
                models:
                  - model: {{Model("vlm_a")}}
                    parameters: {weight: 1.0}
                  - model: {{Model("vlm_b")}}
                    parameters: {weight: 1.0}
            dtype: float32
            """;
        using var plan = MergePlanner.Build(RecipeReader.Parse(yaml, "vlm.yml", "/"));
        Assert.Equal(14, plan.Tensors.Count);
        Assert.All(plan.Tensors, t => Assert.DoesNotContain(".layers.", t.Name, StringComparison.Ordinal));
        Assert.Contains(plan.Warnings, w => w.Problem == $"modules: does not name module '{Text}' (18 tensors)" && w.Outcome == "not written, as mergekit does");
        Assert.Contains(plan.Warnings, w => w.Problem == $"modules: does not name module '{Vision}' (32 tensors)");
    }

    [Fact]
    public void A_name_that_is_not_a_module_of_the_models_is_refused_naming_their_modules()
    {
        string yaml = $$"""
            merge_method: linear
            modules:
              text_decoder:
                models:
                  - model: {{Model("vlm_a")}}
                    parameters: {weight: 1.0}
                  - model: {{Model("vlm_b")}}
                    parameters: {weight: 1.0}
            dtype: float32
            """;
        var error = Assert.Throws<RecipeException>(() => MergePlanner.Build(RecipeReader.Parse(yaml, "vlm.yml", "/")));
        Assert.Equal($"vlm.yml:3: modules: 'text_decoder' is not a module of these models; their modules are default, {Text}, {Vision} (mergekit raises KeyError too)", error.Message);

        var llama = Assert.Throws<RecipeException>(() => MergePlanner.Build(RecipeReader.Parse(yaml.Replace("vlm_", "pico_", StringComparison.Ordinal), "llama.yml", "/")));
        Assert.Equal("llama.yml:3: modules: 'text_decoder' is not a module of these models; their one module is 'default' (mergekit raises KeyError too)", llama.Message);

        // Multimodal gemma3 has gemma3vl.json's modules, so 'default' is no module of it (mergekit: KeyError: 'default').
        string gemma = yaml.Replace("text_decoder", "default", StringComparison.Ordinal).Replace("vlm_", "gemma3_mm_", StringComparison.Ordinal);
        var multimodal = Assert.Throws<RecipeException>(() => MergePlanner.Build(RecipeReader.Parse(gemma, "gemma.yml", "/")));
        Assert.Equal("gemma.yml:3: modules: 'default' is not a module of these models; their modules are text_decoder, multi_modal_projector, vision_tower (mergekit raises KeyError too)", multimodal.Message);
    }
}
