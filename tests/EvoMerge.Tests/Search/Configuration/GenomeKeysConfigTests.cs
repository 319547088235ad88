using EvoMerge.Search.Configuration;
using Xunit;

namespace EvoMerge.Tests.Search.Configuration;

/// <summary>Reading the mergekit-evolve genome keys: filters, smooth, allow_negative_weights, normalize, random_init.</summary>
public class GenomeKeysConfigTests
{
    private const string Config = """
        base_model: models/base
        models: [models/a, models/b]
        objectives:
          - {task: tasks/a.yml, metric: acc}
        genome:
          methods: [ties, task_arithmetic]
          layer_groups: 2
        optimizer: {name: cmaes}
        budget: {evaluations: 10}
        seed: 7
        run_dir: runs/x
        """;

    private static SearchConfig Read(string genomeLines) =>
        SearchConfigReader.Parse(Config.Replace("  layer_groups: 2", "  layer_groups: 2\n" + genomeLines), "search.yml", "/work");

    [Fact]
    public void TheKeysAreReadAndAbsentKeysKeepTodaysGenome()
    {
        var plain = SearchConfigReader.Parse(Config, "search.yml", "/work").Genome;
        Assert.Empty(plain.Filters);
        Assert.False(plain.Smooth);
        Assert.Null(plain.AllowNegativeWeights);
        Assert.Null(plain.Normalize);
        Assert.False(plain.RandomInit);
        var genome = Read("  filters: [self_attn, mlp]\n  smooth: true\n  allow_negative_weights: true\n  normalize: false\n  random_init: true").Genome;
        Assert.Equal(["self_attn", "mlp"], genome.Filters);
        Assert.True(genome.Smooth);
        Assert.True(genome.AllowNegativeWeights);
        Assert.False(genome.Normalize);
        Assert.True(genome.RandomInit);
    }

    [Theory]
    [InlineData("  filters: [mlp, self_attn, mlp]", "search.yml:8: genome.filters[2]: filter 'mlp' listed twice")]
    [InlineData("  filters: [\"\"]", "search.yml:8: genome.filters[0]: must not be empty")]
    [InlineData("  smooth: 1", "search.yml:8: genome.smooth: ")]
    [InlineData("  random_init: true\n  seed_weights: [0.5]", "search.yml:8: genome.random_init: the start is chosen by genome.seed_weights")]
    [InlineData("  random_init: true\n  seed_sources: true", "search.yml:8: genome.random_init: the start is chosen by genome.seed_sources")]
    public void BadKeysAreOneLineNamingFileLineAndPath(string lines, string expected)
    {
        var e = Assert.Throws<SearchConfigException>(() => Read(lines));
        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void NormalizeNeedsAMethodThatTakesIt()
    {
        string text = Config.Replace("[ties, task_arithmetic]", "[slerp]").Replace("  layer_groups: 2", "  layer_groups: 2\n  normalize: true");
        var e = Assert.Throws<SearchConfigException>(() => SearchConfigReader.Parse(text, "search.yml", "/work"));
        Assert.Equal("search.yml:8: genome.normalize: none of genome.methods (slerp) takes a normalize parameter", e.Message);
    }
}
