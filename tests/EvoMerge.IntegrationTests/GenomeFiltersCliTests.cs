using System.Globalization;
using EvoMerge.Optimization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Runs;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>genome.filters</c> (and <c>genome.smooth</c>) on the demo search: the dry run's gene count, and a decoded genome's
/// recipe merged by <c>evomerge merge</c> as a child process equals the in-memory candidate bit for bit.
/// </summary>
public class GenomeFiltersCliTests
{
    private static string WriteConfig(TempDirectory temp, string genomeLines)
    {
        string config = SmallDemoConfig.Write(temp);
        string text = File.ReadAllText(config);
        Assert.Contains("  layer_groups: 2\n", text);
        File.WriteAllText(config, text.Replace("  layer_groups: 2\n", "  layer_groups: 2\n" + genomeLines, StringComparison.Ordinal));
        return config;
    }

    [Fact]
    public void The_dry_run_of_the_demo_with_filters_reports_48_real_genes_and_the_method_gene()
    {
        using var temp = new TempDirectory();
        string config = WriteConfig(temp, "  filters: [self_attn, mlp]\n");
        var result = CliRunner.Run(TimeSpan.FromMinutes(10), "search", config, "--dry-run");
        Assert.True(result.ExitCode == 0, result.Stderr);
        // 3 models × (weight, density): 6 in the embeddings, 2 groups × 3 models × 3 sets × 2 in the layers, 6 in the head.
        Assert.Contains("genome: 49 genes (48 real in [0, 1], 1 categorical)", result.Stdout);
        Assert.Contains("  layers[0,2).model0.self_attn.weight\n", result.Stdout);
        Assert.Contains("  layers[0,2).model0.rest.density\n", result.Stdout);
        Assert.Contains("- filter: 'mlp'", result.Stdout);
    }

    [Theory]
    [InlineData("  filters: [self_attn, mlp]\n")]
    [InlineData("  filters: [self_attn, mlp]\n  smooth: true\n")]
    public void A_decoded_genome_merges_through_the_cli_bit_identically_to_the_in_memory_candidate(string genomeLines)
    {
        using var temp = new TempDirectory();
        var config = SearchConfigReader.ReadFile(WriteConfig(temp, genomeLines));
        var setup = SearchSetup.Create(config, SearchSetup.DeriveInfo(config, temp.Path));
        var genome = setup.Layout.Space.RandomGenome(new SearchRandom(11));
        genome.Categories[0] = 1; // ties: weights and densities
        var recipe = setup.Composer.Compose(setup.Layout.Decode(genome));
        Assert.Contains("- filter: 'self_attn'", recipe.ParameterSpace);
        string recipeFile = temp.Combine(CandidateRecipe.ParameterSpaceFileName);
        File.WriteAllText(recipeFile, recipe.ParameterSpace);
        string output = temp.Combine("merged");
        var merged = CliRunner.Run(TimeSpan.FromMinutes(5), "merge", recipeFile, output, "--seed", recipe.MergeSeed.ToString(CultureInfo.InvariantCulture));
        Assert.True(merged.ExitCode == 0, merged.Stderr);

        using var materializer = setup.CreateMaterializer();
        materializer.Materialize(recipe);
        using var onDisk = ModelDirectory.Open(output);
        var parameters = materializer.Model.Parameters;
        foreach (string tensor in onDisk.Layout.ExpectedNames())
        {
            using var written = onDisk.Weights.Load(tensor, torch.ScalarType.Float32);
            var held = parameters[tensor];
            Assert.Equal(held.shape, written.shape);
            using var same = written.eq(held).all();
            Assert.True(same.item<bool>(), $"{tensor} differs between evomerge merge and the in-memory candidate");
        }
    }
}
