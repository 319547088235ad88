using System.Text.Json;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Mergekit;

/// <summary>
/// mergekit's test_gpt2_stack checks the stacked output's config: two slices of GPT-2's layers 0-12 give n_layer 24
/// (GPT-2's layer-count key, not num_hidden_layers), and the tied head stays unwritten as in mergekit's output.
/// </summary>
public class MergekitGpt2StackTests
{
    [Fact]
    public void Stacking_layers_0_to_12_twice_writes_n_layer_24_and_no_lm_head()
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDirectory("mergekit-gpt2-stack");
        using (var plan = MergePlanner.Build(RecipeReader.ReadFile(MergekitCorpus.Recipe("basic-gpt2_stack"))))
        {
            using var sink = ModelDirectorySink.Create(plan, dir.Combine("out"), SafetensorsWriter.DefaultMaxShardBytes, false);
            using var executor = new MergeExecutor(plan, new MergeExecutionOptions());
            executor.Run(sink);
        }

        using var config = JsonDocument.Parse(File.ReadAllText(dir.Combine("out", "config.json")));
        Assert.Equal(24, config.RootElement.GetProperty("n_layer").GetInt32());
        using var weights = ModelWeights.Open(dir.Combine("out"));
        Assert.True(weights.Contains("transformer.h.23.mlp.c_proj.bias"));
        Assert.False(weights.Contains("transformer.h.24.ln_1.weight"));
        Assert.False(weights.Contains("lm_head.weight"));
    }
}
