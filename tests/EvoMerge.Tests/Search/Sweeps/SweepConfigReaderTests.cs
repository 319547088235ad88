using EvoMerge.Search.Configuration;
using EvoMerge.Search.Sweeps;
using Xunit;

namespace EvoMerge.Tests.Search.Sweeps;

/// <summary>A sweep config is a search config with a sweep: block; its errors name the file, the line and the path.</summary>
public class SweepConfigReaderTests
{
    private const string Head = """
        base_model: models/base
        models: [models/a, models/b]
        objectives:
          - {name: a, task: tasks/a.yml, metric: acc}
        sweep:
        """;

    private static SweepConfig Parse(string block, string tail = "run_dir: runs/x\n") =>
        SweepConfigReader.Parse(Head + "\n" + block + tail, "/cfg/sweep.yml", "/cfg");

    [Fact]
    public void TheBlockIsReadAndTheSearchOnlyKeysMayBeLeftOut()
    {
        var config = Parse("""
              grid: {method: ties, parameters: {density: [0.2, 0.5], weight: [1, 2]}, fixed: {lambda: 0.5}}
              path: {method: task_arithmetic, parameters: {weight: 1.0}, t: [0, 0.5, 1]}
              greedy_soup: true

            """);
        Assert.Equal("/cfg/runs/x", config.Search.RunDirectory);
        Assert.Equal(["/cfg/models/a", "/cfg/models/b"], config.Search.Models);
        var grid = config.Sweep.Grid!;
        Assert.Equal("ties", grid.Method);
        Assert.Equal(["density", "weight"], grid.Axes.Select(a => a.Parameter));
        Assert.Equal([1.0, 2.0], grid.Axes[1].Values);
        Assert.Equal(0.5, grid.Fixed["lambda"]);
        Assert.Equal([0, 0.5, 1], config.Sweep.Path!.T);
        Assert.True(config.Sweep.GreedySoup);
        Assert.Contains("sweep:", config.Text); // the text as given is what the run directory keeps
        Assert.DoesNotContain("sweep", config.Search.Text);
    }

    [Fact]
    public void ThePathDefaultsToElevenPointsAndItsPointsScaleLambda()
    {
        var config = Parse("  path: {method: ties, parameters: {lambda: 2, density: 0.5}}\n");
        Assert.Equal(11, config.Sweep.Path!.T.Length);
        Assert.Equal(0.3, config.Sweep.Path.T[3]);
        var points = SweepPlan.Path(config.Sweep.Path, config.Search.Methods.Get("ties"), 2);
        Assert.Equal(0.6, points[3].Global["lambda"], 12); // 0.3 × the merge's own lambda 2
        Assert.Equal(0.5, points[3].PerModel[1]["density"]);
        Assert.Equal(1.0, points[3].PerModel[0]["weight"]); // a required weight left out is 1
    }

    [Theory]
    [InlineData("  path: {method: linear}\n", "sweep.yml:6: sweep.path.method: 'linear' has no lambda")]
    [InlineData("  grid: {method: ties, parameters: {dens: [0.5]}}\n", "sweep.yml:6: sweep.grid.parameters.dens: 'ties' has no numeric parameter 'dens'")]
    [InlineData("  grid: {method: ties, parameters: {density: [0.5], weight: [1], lambda: [1]}}\n", "sweep.yml:6: sweep.grid.parameters: give one or two parameters")]
    [InlineData("  grid: {method: nope, parameters: {density: [0.5]}}\n", "sweep.yml:6: sweep.grid.method: unknown merge method 'nope'")]
    [InlineData("  soup: true\n", "sweep.yml:6: sweep.soup: unknown key")]
    [InlineData("  greedy_soup: false\n", "sweep.yml:5: sweep: nothing to evaluate")]
    [InlineData("  path: {method: ties, t: [0, x]}\n", "sweep.yml:6: sweep.path.t[1]: must be a number")]
    public void MistakesAreOneLineNamingTheFileTheLineAndThePath(string block, string expected)
    {
        var e = Assert.Throws<SearchConfigException>(() => Parse(block));
        Assert.StartsWith("/cfg/" + expected, e.Message);
    }

    [Fact]
    public void AnErrorAfterTheBlockKeepsItsLineNumber()
    {
        var e = Assert.Throws<SearchConfigException>(() => Parse("  greedy_soup: true\n", "run_dir: runs/x\nseed: -1\n"));
        Assert.StartsWith("/cfg/sweep.yml:8: seed", e.Message);
    }

    [Fact]
    public void AConfigWithoutTheBlockIsRefused()
    {
        var e = Assert.Throws<SearchConfigException>(() => SweepConfigReader.Parse(Head.Replace("sweep:", "run_dir: x", StringComparison.Ordinal), "/cfg/s.yml", "/cfg"));
        Assert.Contains("sweep: missing", e.Message);
    }

    [Fact]
    public void TheSchemaDescribesExactlyTheKeysTheReaderTakes()
    {
        var schema = System.Text.Json.Nodes.JsonNode.Parse(JsonSchemaValidator.SearchSpaceSchemaText())!;
        Assert.Equal("#/$defs/sweep", (string?)schema["properties"]!["sweep"]!["$ref"]);
        var block = schema["$defs"]!["sweep"]!["properties"]!.AsObject();
        static string[] Keys(System.Text.Json.Nodes.JsonNode node) => [.. node.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal)];
        Assert.Equal(SweepConfigReader.BlockKeys.Order(StringComparer.Ordinal), Keys(block));
        Assert.Equal(SweepConfigReader.GridKeys.Order(StringComparer.Ordinal), Keys(block["grid"]!["properties"]!));
        Assert.Equal(SweepConfigReader.PathKeys.Order(StringComparer.Ordinal), Keys(block["path"]!["properties"]!));
    }

    [Fact]
    public void TheSchemaAcceptsTheDocumentedBlockAndRefusesAnUnknownKey()
    {
        const string full = """
            base_model: models/base
            models: [models/a, models/b]
            objectives:
              - {name: a, task: tasks/a.yml, metric: acc}
            genome: {methods: [ties], layer_groups: 1}
            optimizer: {name: random}
            budget: {evaluations: 1}
            seed: 0
            sweep:
              grid: {method: ties, parameters: {density: [0.2, 0.5], weight: [1, 2]}, fixed: {lambda: 0.5}}
              path: {method: task_arithmetic, parameters: {weight: 1.0}, t: [0, 0.5, 1]}
              greedy_soup: true
            """;
        var validator = SearchSpaceSchema.ValidatorFor(EvoMerge.Merging.MergeMethodRegistry.Default);
        Assert.Empty(validator.Validate(LocatedJson.Parse(full, "s.yml").Root));
        var errors = validator.Validate(LocatedJson.Parse(full.Replace("greedy_soup: true", "soup: true", StringComparison.Ordinal), "s.yml").Root);
        Assert.Equal("sweep.soup", Assert.Single(errors).Path);
    }
}
