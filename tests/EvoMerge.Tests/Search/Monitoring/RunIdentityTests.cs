using EvoMerge.Search.Monitoring;
using Xunit;

namespace EvoMerge.Tests.Search.Monitoring;

/// <summary>A run is named by its directory's name and its config text's SHA-256 (first 16 hex digits, from sha256sum).</summary>
public sealed class RunIdentityTests
{
    [Fact]
    public void TheIdIsTheDirectorysNameAndTheHashTheConfigTexts()
    {
        using var temp = new TempDirectory();
        string directory = temp.Combine("runs", "run-7");
        var identity = RunIdentity.Of(directory + Path.DirectorySeparatorChar, "seed: 1\n");
        Assert.Equal("run-7", identity.RunId);
        Assert.Equal(directory, identity.RunDirectory);
        Assert.Equal("adf0396d435b4047", identity.ConfigHash); // printf 'seed: 1\n' | sha256sum
        Assert.Equal(RunIdentity.ProgramVersion, identity.Version);
    }

    [Fact]
    public void TheVersionHasNoBuildMetadata() => Assert.DoesNotContain('+', RunIdentity.ProgramVersion);
}
