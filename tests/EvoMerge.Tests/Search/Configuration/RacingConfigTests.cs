using EvoMerge.Search.Configuration;
using Xunit;

namespace EvoMerge.Tests.Search.Configuration;

/// <summary><c>evaluation.racing</c>: defaults, and one-line errors naming the file, line and field.</summary>
public class RacingConfigTests
{
    private static string Config(string evaluation) => $$"""
        base_model: models/base
        models: [models/a, models/b]
        objectives:
          - {name: a, task: tasks/a.yml, metric: acc}
        genome:
          methods: [task_arithmetic]
          layer_groups: 1
        optimizer: {name: nsga2, settings: {population_size: 4} }
        budget: {generations: 1}
        evaluation:
        {{evaluation}}
        seed: 1
        run_dir: runs/x
        """;

    [Fact]
    public void Racing_is_off_unless_configured_and_takes_its_defaults()
    {
        Assert.False(SearchConfigReader.Parse(Config("  batch_token_budget: 4096"), "search.yml", "/work").Racing.Enabled);
        var racing = SearchConfigReader.Parse(Config("  racing: {}"), "search.yml", "/work").Racing;
        Assert.Equal(new RacingConfig(true, 4, 0.95, 0.0), racing);
        var set = SearchConfigReader.Parse(Config("  racing: {rounds: 10, confidence: 0.9, margin: 0.03}"), "search.yml", "/work").Racing;
        Assert.Equal(new RacingConfig(true, 10, 0.9, 0.03), set);
    }

    [Theory]
    [InlineData("  racing: {rounds: 1}", "search.yml:11: evaluation.racing.rounds: must be ≥ 2")]
    [InlineData("  racing: {rounds: 2.5}", "search.yml:11: evaluation.racing.rounds: must be an integer")]
    [InlineData("  racing: {confidence: 1}", "search.yml:11: evaluation.racing.confidence: must be < 1")]
    [InlineData("  racing: {margin: -0.1}", "search.yml:11: evaluation.racing.margin: must be ≥ 0")]
    [InlineData("  racing: {round: 3}", "search.yml:11: evaluation.racing.round: unknown key 'round'")]
    [InlineData("  racing: {}\n  cheap_first: {fraction: 0.5}", "search.yml:11: evaluation.racing: racing replaces cheap-first scoring; remove evaluation.cheap_first")]
    public void Bad_racing_settings_are_one_line_errors_naming_the_field(string evaluation, string message)
    {
        var e = Assert.Throws<SearchConfigException>(() => SearchConfigReader.Parse(Config(evaluation), "search.yml", "/work"));
        Assert.StartsWith(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Racing_switched_off_may_stay_beside_cheap_first()
    {
        var config = SearchConfigReader.Parse(Config("  racing: {enabled: false}\n  cheap_first: {fraction: 0.5}"), "search.yml", "/work");
        Assert.False(config.Racing.Enabled);
        Assert.True(config.CheapFirst.Enabled);
    }
}
