using System.CommandLine;
using EvoMerge.Cli;
using EvoMerge.Tests.Search;
using Xunit;

namespace EvoMerge.Tests.Cli;

/// <summary><c>--worker-in-flight</c> and <c>--min-workers</c> below 1 are refused with one line before any cluster starts.</summary>
public sealed class ClusterOptionTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    [Theory]
    [InlineData("--min-workers", "0", "--min-workers 0: must be at least 1")]
    [InlineData("--worker-in-flight", "0", "--worker-in-flight 0: must be at least 1")]
    [InlineData("--min-workers", "-3", "--min-workers -3: must be at least 1")]
    public void ACountBelowOneIsAUserError(string option, string value, string message)
    {
        string config = fixture.Config("cluster-options-" + option.TrimStart('-') + value, "  methods: [task_arithmetic]\n  layer_groups: 1", population: 4, generations: 1);
        var parse = EvoMergeCommandLine.Create().Parse(["search", config, "--cluster", "localhost:1", option, value]);
        Assert.Empty(parse.Errors);
        var e = Assert.Throws<ArgumentException>(() => parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
        Assert.Equal(message, e.Message);
        Assert.True(EvoMergeCommandLine.IsUserError(e));
    }
}
