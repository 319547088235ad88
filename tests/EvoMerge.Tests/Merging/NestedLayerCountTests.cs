using System.Text.Json.Nodes;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using Xunit;

namespace EvoMerge.Tests.Merging;

/// <summary>
/// mergekit's <c>_model_out_config</c> writes a named module's layer count (the sum of its slices' lengths) to the
/// config key its architecture names, nested for multimodal Gemma 3 (gemma3vl.json: <c>text_config.num_hidden_layers</c>,
/// <c>vision_config.num_hidden_layers</c>). The corpus's gemma3_mm models have 2 text and 2 vision layers.
/// </summary>
public class NestedLayerCountTests
{
    private static string Model(string name) => RepositoryPaths.Combine("tests", "fixtures", "mergekit", "models", name);

    [Fact]
    public void Text_decoder_slices_that_change_the_layer_count_rewrite_text_config_num_hidden_layers()
    {
        string yaml = $$"""
            merge_method: slerp
            base_model: {{Model("gemma3_mm_a")}}
            modules:
              text_decoder:
                slices:
                  - sources:
                      - model: {{Model("gemma3_mm_a")}}
                        layer_range: [0, 2]
                      - model: {{Model("gemma3_mm_b")}}
                        layer_range: [0, 2]
                  - sources:
                      - model: {{Model("gemma3_mm_a")}}
                        layer_range: [1, 2]
                      - model: {{Model("gemma3_mm_b")}}
                        layer_range: [1, 2]
              vision_tower:
                slices:
                  - sources:
                      - model: {{Model("gemma3_mm_a")}}
                        layer_range: [0, 1]
                      - model: {{Model("gemma3_mm_b")}}
                        layer_range: [0, 1]
              multi_modal_projector:
                models:
                  - model: {{Model("gemma3_mm_a")}}
                  - model: {{Model("gemma3_mm_b")}}
            parameters:
              t: 0.5
            dtype: float32
            """;
        using var plan = MergePlanner.Build(RecipeReader.Parse(yaml, "g3.yml", "/"));
        // text: slices of 2 and 1 layers; vision: one slice of 1 layer.
        Assert.Equal(3, plan.OutputConfig["text_config"]!["num_hidden_layers"]!.GetValue<int>());
        Assert.Equal(1, plan.OutputConfig["vision_config"]!["num_hidden_layers"]!.GetValue<int>());
        Assert.Null(plan.OutputConfig["num_hidden_layers"]);
        // The rest of text_config is the donor's.
        var donor = JsonNode.Parse(File.ReadAllText(Path.Combine(Model("gemma3_mm_a"), "config.json")))!;
        Assert.Equal(donor["text_config"]!["hidden_size"]!.GetValue<int>(), plan.OutputConfig["text_config"]!["hidden_size"]!.GetValue<int>());
        Assert.Equal(2, donor["text_config"]!["num_hidden_layers"]!.GetValue<int>());
    }
}
