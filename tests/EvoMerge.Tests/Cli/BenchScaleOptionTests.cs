using System.CommandLine;
using EvoMerge.Cli;
using Xunit;

namespace EvoMerge.Tests.Cli;

/// <summary><c>evomerge bench scale</c>'s options are checked before any model is written.</summary>
public class BenchScaleOptionTests
{
    [Theory]
    [InlineData("0.2", "--sizes '0.2': expected some of 0.1,0.3,1")]
    [InlineData("0.1,7", "--sizes '7': expected some of 0.1,0.3,1")]
    [InlineData(",", "--sizes: name at least one size")]
    public void UnknownSizesAreRefused(string sizes, string message)
    {
        var parse = EvoMergeCommandLine.Create().Parse(["bench", "scale", "--sizes", sizes]);
        var e = Assert.Throws<ArgumentException>(() => parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void AtLeastOneQuestion()
    {
        var parse = EvoMergeCommandLine.Create().Parse(["bench", "scale", "--sizes", "0.1", "--questions", "0"]);
        var e = Assert.Throws<ArgumentException>(() => parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
        Assert.Equal("--questions 0: must be at least 1", e.Message);
    }
}
