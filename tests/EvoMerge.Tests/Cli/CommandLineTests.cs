using System.CommandLine;
using EvoMerge.Cli;
using EvoMerge.Search.Configuration;
using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.Tests.Cli;

/// <summary>The CLI's own logic: host options become the host's configuration keys; input errors are one-line errors.</summary>
public class CommandLineTests
{
    [Fact]
    public void HostOptionsBecomeTheHostsConfigurationKeys()
    {
        var options = new SearchHostCommandOptions();
        var command = new Command("search");
        options.AddTo(command);
        var overrides = options.Overrides(command.Parse(["--metrics-url", "http://127.0.0.1:9999", "--grace-period", "2.5", "--progress", "log"]));
        Assert.Equal("http://127.0.0.1:9999", overrides["metrics_url"]);
        Assert.Equal("2.5", overrides["grace_period"]);
        Assert.Equal("log", overrides["PROGRESS"]);
        Assert.False(overrides.ContainsKey("log_format"));
    }

    [Fact]
    public void NoHostOptionGivenMeansNoOverride()
    {
        var options = new SearchHostCommandOptions();
        var command = new Command("search");
        options.AddTo(command);
        Assert.Empty(options.Overrides(command.Parse([])));
    }

    [Fact]
    public void InputProblemsAreUserErrorsAndBugsAreNot()
    {
        Assert.True(EvoMergeCommandLine.IsUserError(new SearchConfigException("search.yml", 3, "genome.layer_groups: must be ≥ 1")));
        Assert.True(EvoMergeCommandLine.IsUserError(new SafetensorsFormatException("model.safetensors", "w", "truncated")));
        Assert.True(EvoMergeCommandLine.IsUserError(new FileNotFoundException("missing.yml")));
        Assert.False(EvoMergeCommandLine.IsUserError(new KeyNotFoundException()));
        Assert.False(EvoMergeCommandLine.IsUserError(new InvalidOperationException()));
    }
}
