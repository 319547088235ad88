using System.CommandLine;
using EvoMerge.Cli;
using Xunit;

namespace EvoMerge.Tests.Cli;

/// <summary>One <c>--device</c> option on every command that computes: cuda on this CPU-only build is refused before any input is read.</summary>
public class DeviceOptionTests
{
    [Theory]
    [InlineData("search", "missing-search.yml")]
    [InlineData("search", "missing-search.yml", "--dry-run")]
    [InlineData("resume", "missing-run-dir")]
    [InlineData("merge", "missing-recipe.yml", "missing-out")]
    [InlineData("eval", "missing-model", "--task", "missing-task.yml")]
    [InlineData("worker", "--cluster", "localhost:1")]
    public void EveryComputingCommandRefusesCudaOnTheCpuOnlyBuildFirst(params string[] args)
    {
        var parse = EvoMergeCommandLine.Create().Parse([.. args, "--device", "cuda:1"]);
        Assert.Empty(parse.Errors);
        var e = Assert.Throws<ArgumentException>(() => parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
        Assert.Equal("--device 'cuda:1': this build is CPU-only (TorchSharp-cpu); rebuild with -p:TorchBackend=cuda to use a GPU", e.Message);
        Assert.True(EvoMergeCommandLine.IsUserError(e));
    }

    [Theory]
    [InlineData("search", "missing-search.yml")]
    [InlineData("merge", "missing-recipe.yml", "missing-out")]
    public void CpuIsAcceptedAndTheCommandGoesOnToItsInputs(params string[] args)
    {
        var parse = EvoMergeCommandLine.Create().Parse([.. args, "--device", "cpu"]);
        Assert.Empty(parse.Errors);
        Assert.Throws<FileNotFoundException>(() => parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
    }
}
