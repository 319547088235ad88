using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using Xunit;

namespace EvoMerge.Tests.Search.Configuration;

/// <summary>A search config's <c>BASE+ADAPTER</c> entries: both parts resolved against the config's directory; more than one '+' is an error.</summary>
public class LoraSourceConfigTests
{
    private const string Config = """
        base_model: models/base
        models:
          - models/a
          - models/base+adapters/chat
        objectives:
          - task: tasks/a.yml
            metric: acc
        genome:
          methods: [ties, task_arithmetic]
          layer_groups: 2
        optimizer:
          name: nsga2
        budget:
          generations: 3
        seed: 7
        run_dir: runs/x
        """;

    [Fact]
    public void Both_parts_of_a_lora_entry_resolve_against_the_configs_directory()
    {
        var config = SearchConfigReader.Parse(Config, "search.yml", "/work/exp");

        Assert.Equal(["/work/exp/models/a", "/work/exp/models/base+/work/exp/adapters/chat"], config.Models);
        Assert.Equal(("/work/exp/models/base", "/work/exp/adapters/chat"), LoraSources.Split(config.Models[1]));
        Assert.Equal(["/work/exp/models/base", "/work/exp/adapters/chat"], LoraSources.Parts(config.Models[1]));
        Assert.Equal(["/work/exp/models/a"], LoraSources.Parts(config.Models[0]));
    }

    [Theory]
    [InlineData("models/base+adapters/chat+more", "search.yml:4: models[1]: 'models/base+adapters/chat+more': a model is MODEL or MODEL+LORA_ADAPTER; found 2 '+'")]
    [InlineData("models/base+", "search.yml:4: models[1]: 'models/base+': MODEL+LORA_ADAPTER needs both a model and an adapter directory")]
    public void A_malformed_lora_entry_is_one_line_naming_the_line_and_path(string entry, string expected)
    {
        var e = Assert.Throws<SearchConfigException>(() => SearchConfigReader.Parse(Config.Replace("models/base+adapters/chat", entry, StringComparison.Ordinal), "search.yml", "/work/exp"));

        Assert.Equal(expected, e.Message);
    }
}
