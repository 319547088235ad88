using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// Gemma 2 end to end through the built CLI: three tiny Gemma 2 models (a base and two fine-tunes, tied embeddings,
/// soft-capping, a sliding window shorter than the prompts) over a byte-level tokenizer and Parquet tasks are
/// inspected, evaluated and searched for two generations.
/// </summary>
public class GemmaSearchCliTests
{
    private static TinySpecialists.Layout WriteGemma2Models(TempDirectory temp) =>
        TinySpecialists.Write(temp.Path, itemsPerTask: 12, spec: TinySpecialists.Spec with
        {
            ModelType = "gemma2", HeadDim = 8, TieWordEmbeddings = true,
            Extra = new JsonObject
            {
                ["sliding_window"] = 4, ["query_pre_attn_scalar"] = 8, ["attn_logit_softcapping"] = 20.0, ["final_logit_softcapping"] = 15.0,
            },
        });

    [Fact]
    public void A_search_over_three_tiny_gemma2_models_runs_end_to_end()
    {
        using var temp = new TempDirectory();
        var layout = WriteGemma2Models(temp);

        var inspect = CliRunner.Run("inspect", layout.SpecialistA);
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        Assert.Contains("family         gemma2, layers under model.layers.{i}.\n", inspect.Stdout);
        Assert.Contains("family config  hidden_activation gelu_pytorch_tanh; query_pre_attn_scalar 8; sliding_window 4 on 1 of 2 layers (0); attn_logit_softcapping 20; final_logit_softcapping 15\n", inspect.Stdout);

        // Task a's answers are specialist a's own predictions (computed in process), so the CLI's eval scores it 1.
        string results = temp.Combine("results.json");
        var eval = CliRunner.Run(TimeSpan.FromMinutes(3), "eval", layout.SpecialistA, "--task", layout.TaskA, "--output", results);
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using (var json = JsonDocument.Parse(File.ReadAllText(results)))
            Assert.Equal(1.0, json.RootElement.GetProperty("tasks")[0].GetProperty("metrics").GetProperty("acc").GetProperty("value").GetDouble());

        string config = temp.Combine("search.yml");
        File.WriteAllText(config, layout.SearchYaml(population: 4) + "budget:\n  generations: 2\nseed: 5\nrun_dir: runs/gemma2\n");
        var search = CliRunner.Run(TimeSpan.FromMinutes(6), "search", config);
        Assert.True(search.ExitCode == 0, search.Stderr);
        Assert.Contains("hypervolume", search.Stdout);
        Assert.True(Directory.Exists(temp.Combine("runs", "gemma2")));
    }

    [Fact]
    public void Eval_of_a_gemma2_model_with_a_bad_softcap_is_a_one_line_error()
    {
        using var temp = new TempDirectory();
        var layout = WriteGemma2Models(temp);
        string configPath = Path.Combine(layout.Base, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["attn_logit_softcapping"] = 0;
        File.WriteAllText(configPath, config.ToJsonString());
        var eval = CliRunner.Run("eval", layout.Base, "--task", layout.TaskA);
        Assert.Equal(1, eval.ExitCode);
        Assert.Equal($"evomerge: error: {configPath}: field 'attn_logit_softcapping' must be a positive number or null (got 0)",
            Assert.Single(eval.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
