using EvoMerge.Merging;
using EvoMerge.Search.Configuration;
using EvoMerge.Optimization.Nsga2;
using EvoMerge.Optimization.Random;
using Xunit;

namespace EvoMerge.Tests.Search.Configuration;

public class SearchConfigReaderTests
{
    private const string Valid = """
        base_model: models/base
        models:
          - models/a
          - models/b
        objectives:
          - task: tasks/a.yml
            metric: acc
          - name: b
            task: tasks/b.yml
            metric: acc_norm
            direction: maximize
            weight: 2
        constraints:
          - task: tasks/a.yml
            metric: acc
            minimum: 0.5
        genome:
          methods: [ties, task_arithmetic]
          layer_groups: 2
          ranges:
            weight: [0, 1.5]
          layer_ordering:
            repeats: 2
        optimizer:
          name: nsga2
          settings:
            population_size: 6
        budget:
          generations: 3
        evaluation:
          cheap_first:
            fraction: 0.5
        seed: 7
        run_dir: runs/x
        """;

    [Fact]
    public void ReadsAValidConfigWithPathsResolvedAgainstItsDirectory()
    {
        var config = SearchConfigReader.Parse(Valid, "search.yml", "/work/exp");
        Assert.Equal("/work/exp/models/base", config.BaseModel);
        Assert.Equal(["/work/exp/models/a", "/work/exp/models/b"], config.Models);
        Assert.Equal("a.acc", config.Objectives[0].Name);
        Assert.Equal(2.0, config.Objectives[1].Weight);
        Assert.Equal(0.5, config.Constraints[0].Minimum);
        Assert.Equal(new GeneRange(0, 1.5), config.Genome.Ranges.Configured["weight"]);
        Assert.Equal(2, config.Genome.LayerOrdering!.Repeats);
        Assert.Equal(6, Assert.IsType<Nsga2Settings>(config.Optimizer).PopulationSize);
        Assert.True(config.CheapFirst.Enabled);
        Assert.Equal(0.5, config.CheapFirst.Fraction);
        Assert.Equal(7UL, config.Seed);
        Assert.Equal("/work/exp/runs/x", config.RunDirectory);
        Assert.Equal(["/work/exp/tasks/a.yml", "/work/exp/tasks/b.yml"], config.TaskFiles);
    }

    [Theory]
    [InlineData("  layer_groups: 2", "  layer_groups: 0", "search.yml:19: genome.layer_groups: must be ≥ 1")]
    [InlineData("  layer_groups: 2", "  layer_groups: two", "search.yml:19: genome.layer_groups: must be an integer, found 'two'")]
    [InlineData("seed: 7", "seed: 7\nsurprise: 1", "search.yml:34: surprise: unknown key 'surprise'")]
    [InlineData("    metric: acc\n  - name: b", "    metric: acc\n    direction: up\n  - name: b", "search.yml:8: objectives[0].direction: must be one of \"maximize\", \"minimize\"")]
    [InlineData("  methods: [ties, task_arithmetic]", "  methods: [ties, magic]", "search.yml:18: genome.methods[1]: must be one of")]
    [InlineData("    weight: [0, 1.5]", "    weight: [1.5, 0]", "search.yml:21: genome.ranges.weight: [1.5, 0] ends before it starts")]
    [InlineData("run_dir: runs/x", "", "search.yml:1: run_dir: not set")]
    [InlineData("    population_size: 6", "    population_sise: 6", "search.yml:27: optimizer.settings")]
    [InlineData("  generations: 3", "  generations: -1", "search.yml:29: budget.generations: must be ≥ 1")]
    [InlineData("  layer_groups: 2", "  layer_groups: 2\n  seed_weights: [0.5, 2]", "search.yml:20: genome.seed_weights[1]: 2 is outside genome.ranges.weight [0, 1.5]")]
    [InlineData("  methods: [ties, task_arithmetic]", "  methods: [ties]\n  seed_weights: [1]", "search.yml:19: genome.seed_weights: seed genomes are task-arithmetic merges")]
    [InlineData("  methods: [ties, task_arithmetic]", "  methods: [ties]\n  seed_sources: true", "search.yml:19: genome.seed_sources: seed genomes are task-arithmetic merges")]
    [InlineData("  layer_groups: 2\n  ranges:\n    weight: [0, 1.5]", "  layer_groups: 2\n  seed_sources: true\n  ranges:\n    weight: [0.2, 1.5]", "search.yml:20: genome.seed_sources: a source alone needs weights 0 and 1")]
    public void ErrorsNameTheLineAndPath(string find, string replace, string expected)
    {
        Assert.Contains(find, Valid);
        var e = Assert.Throws<SearchConfigException>(() => SearchConfigReader.Parse(Valid.Replace(find, replace), "search.yml", "/work"));
        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void SeedWeightsAreRead()
    {
        var config = SearchConfigReader.Parse(Valid.Replace("  layer_groups: 2", "  layer_groups: 2\n  seed_weights: [0.5, 1]"), "search.yml", "/work");
        Assert.Equal([0.5, 1.0], config.Genome.SeedWeights);
        Assert.Empty(SearchConfigReader.Parse(Valid, "search.yml", "/work").Genome.SeedWeights);
        Assert.True(SearchConfigReader.Parse(Valid.Replace("  layer_groups: 2", "  layer_groups: 2\n  seed_sources: true"), "search.yml", "/work").Genome.SeedSources);
        Assert.False(SearchConfigReader.Parse(Valid, "search.yml", "/work").Genome.SeedSources);
    }

    [Fact]
    public void AGivenRunDirectoryReplacesRunDirOrStandsInForIt()
    {
        string without = Valid.Replace("\nrun_dir: runs/x", "");
        Assert.DoesNotContain("run_dir", without);
        Assert.Equal("/elsewhere/r", SearchConfigReader.Parse(without, "search.yml", "/work", runDirectory: "/elsewhere/r").RunDirectory);
        Assert.Equal("/elsewhere/r", SearchConfigReader.Parse(Valid, "search.yml", "/work", runDirectory: "/elsewhere/r").RunDirectory);
        Assert.Equal("/work/runs/x", SearchConfigReader.Parse(Valid, "search.yml", "/work").RunDirectory);
        var e = Assert.Throws<SearchConfigException>(() => SearchConfigReader.Parse(without, "search.yml", "/work"));
        Assert.Equal("search.yml:1: run_dir: not set: give the run directory as run_dir in the config or with --run-dir (or EVOMERGE_RUN_DIR)", e.Message);
    }

    [Fact]
    public void AConstraintNamesItsFailureWithScoreAndBound()
    {
        var constraint = SearchConfigReader.Parse(Valid, "search.yml", "/work").Constraints[0];
        Assert.Equal("a.acc", constraint.Name);
        Assert.Equal("constraint a.acc = 0.375 < minimum 0.5 (constraints[0])", constraint.Failure(0.375));
        Assert.Null(constraint.Failure(0.5));
        Assert.Null(constraint.Failure(0.75));
        Assert.Equal("constraint a.acc = NaN, not a score (constraints[0])", constraint.Failure(double.NaN));
    }

    [Fact]
    public void JsonConfigsAreReadToo()
    {
        string json = """{"base_model": "b", "models": ["a"], "objectives": [{"task": "t.yml", "metric": "acc"}], "genome": {"methods": ["ties"], "layer_groups": 1}, "optimizer": {"name": "random"}, "budget": {"evaluations": 10}, "seed": 1, "run_dir": "r"}""";
        var config = SearchConfigReader.Parse(json, "search.json", "/x");
        Assert.Equal("/x/b", config.BaseModel);
        Assert.IsType<RandomSearchSettings>(config.Optimizer);
        Assert.Equal(10, config.Budget.Evaluations);
    }

    [Fact]
    public void SlerpNeedsExactlyTwoModels()
    {
        string text = Valid.Replace("  - models/b\n", "").Replace("[ties, task_arithmetic]", "[slerp]");
        var e = Assert.Throws<SearchConfigException>(() => SearchConfigReader.Parse(text, "search.yml", "/work"));
        Assert.Contains("genome.methods[0]: slerp merges exactly 2 source models", e.Message);
    }

    [Fact]
    public void SubspaceMethodsAreGenomeChoicesWithTheirRangesAndEsmReadsItsProxyTasks()
    {
        string datasets = RepositoryPaths.Combine("datasets");
        string text = Valid.Replace("[ties, task_arithmetic]", "[tsv, iso_c, iso_cts, esm]")
            .Replace("    weight: [0, 1.5]", "    alpha: [0.8, 1.2]\n    common_space_fraction: [0.6, 0.9]\n    scaling_power: [0, 1]")
            .Replace("seed: 7", $"seed: 7\nmerge:\n  proxy_tasks: [{datasets}/addition/addition-answer.yml, {datasets}/reversal/reversal-answer.yml]\n  proxy_prompts: 8");
        var config = SearchConfigReader.Parse(text, "search.yml", "/work/exp");
        Assert.Equal(["tsv", "iso_c", "iso_cts", "esm"], config.Genome.Methods);
        Assert.Equal(new GeneRange(0.8, 1.2), config.Genome.Ranges.Configured["alpha"]);
        Assert.Equal(new GeneRange(0.6, 0.9), config.Genome.Ranges.Configured["common_space_fraction"]);
        Assert.Equal(new GeneRange(0, 1), config.Genome.Ranges.Configured["scaling_power"]);
        Assert.Equal([$"{datasets}/addition/addition-answer.yml", $"{datasets}/reversal/reversal-answer.yml"], config.ProxyTasks);
        Assert.Equal(8, config.ProxyPrompts);
    }

    [Fact]
    public void TheFactorCacheBudgetIsReadInMebibytesWithADefaultOf4096AndANegativeOneIsAnError()
    {
        Assert.Equal(4096, SearchConfigReader.Parse(Valid, "search.yml", "/work").FactorCacheMegabytes);
        var zero = SearchConfigReader.Parse(Valid.Replace("seed: 7", "merge:\n  factor_cache_mb: 0\nseed: 7"), "search.yml", "/work");
        Assert.Equal(0, zero.FactorCacheMegabytes);
        var e = Assert.Throws<SearchConfigException>(() =>
            SearchConfigReader.Parse(Valid.Replace("seed: 7", "merge:\n  factor_cache_mb: -1\nseed: 7"), "search.yml", "/work"));
        Assert.Contains("merge.factor_cache_mb", e.Message);
    }

    [Theory]
    [InlineData("", "genome.methods[1]: esm needs proxy activations: set merge.proxy_tasks")]
    [InlineData("merge:\n  proxy_tasks: [a.yml]\n", "merge.proxy_tasks: lists 1 eval tasks but models lists 2")]
    [InlineData("merge:\n  proxy_tasks: [a.yml, b.yml]\n", "merge.proxy_tasks[0]: eval task file /work/a.yml not found")]
    [InlineData("merge:\n  proxy_prompts: 33\n", "merge.proxy_prompts: must be ≤ 32")]
    public void EsmWithoutUsableProxyTasksIsAnErrorNamingTheField(string merge, string expected)
    {
        string text = Valid.Replace("[ties, task_arithmetic]", "[ties, esm]").Replace("seed: 7", merge + "seed: 7");
        var e = Assert.Throws<SearchConfigException>(() => SearchConfigReader.Parse(text, "search.yml", "/work"));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("common_space_fraction: [0.5, 1.2]", "genome.ranges.common_space_fraction: 1.2 is outside the allowed range [0, 1]")]
    [InlineData("scaling_power: [-1, 2]", "genome.ranges.scaling_power: -1 is outside the allowed range [0, 8]")]
    [InlineData("alpha: [2, 1]", "genome.ranges.alpha: [2, 1] ends before it starts")]
    [InlineData("density: [0, 1]", "genome.ranges.density: 0 is outside the allowed range (0, 1]")]
    [InlineData("density: [0.5, 1.5]", "search.yml:21: genome.ranges.density: 1.5 is outside the allowed range (0, 1]")]
    [InlineData("t: [0, 1.5]", "genome.ranges.t: 1.5 is outside the allowed range [0, 1]")]
    public void GeneRangesAreCheckedAgainstTheirDeclaredBounds(string range, string expected)
    {
        string text = Valid.Replace("    weight: [0, 1.5]", "    " + range);
        var e = Assert.Throws<SearchConfigException>(() => SearchConfigReader.Parse(text, "search.yml", "/work"));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("density: [0.5, 1.5]", "genome.ranges.density[1]", "must be ≤ 1")]
    [InlineData("density: [0, 1]", "genome.ranges.density[0]", "must be > 0")]
    [InlineData("t: [-0.5, 1]", "genome.ranges.t[0]", "must be ≥ 0")]
    public void TheSchemaItselfCarriesEachGenesDomain(string range, string path, string message)
    {
        var root = LocatedJson.Parse(Valid.Replace("    weight: [0, 1.5]", "    " + range), "search.yml").Root;
        var errors = new JsonSchemaValidator(SearchSpaceSchema.Build(MergeMethodRegistry.Default)).Validate(root);
        Assert.Equal((path, message), Assert.Single(errors));
    }

    [Fact]
    public void SchemaFileIsTheEmbeddedOneAndDescribesEveryField()
    {
        string root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
        string onDisk = File.ReadAllText(Path.Combine(root, "search-space.schema.json"));
        Assert.Equal(onDisk, JsonSchemaValidator.SearchSpaceSchemaText());
        Assert.Equal(onDisk, SearchSpaceSchema.Text(MergeMethodRegistry.Default));
        var schema = System.Text.Json.Nodes.JsonNode.Parse(onDisk)!.AsObject();
        void Check(System.Text.Json.Nodes.JsonNode? node, string where)
        {
            if (node is not System.Text.Json.Nodes.JsonObject obj) return;
            if (obj["properties"] is System.Text.Json.Nodes.JsonObject properties)
                foreach (var (name, sub) in properties)
                    Assert.True(sub!["description"] is not null || sub["$ref"] is not null, $"{where}.{name} has no description");
            foreach (var (_, child) in obj) Check(child, where);
        }
        Check(schema, "#");
    }
}
