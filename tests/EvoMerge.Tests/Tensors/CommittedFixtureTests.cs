using Xunit;
using EvoMerge.Tensors;

namespace EvoMerge.Tests.Tensors;

/// <summary>
/// tests/fixtures/tiny-llama (used by the README's first command and the CLI tests) is exactly what
/// <see cref="TinyDecoderWriter"/> writes for its spec and seed. Set EVOMERGE_REGENERATE_FIXTURES=1 to rewrite it.
/// </summary>
public class CommittedFixtureTests
{
    public static readonly TinyDecoderSpec Spec = new();
    public const long Seed = 20261123;
    public const long MaxShardBytes = 50_000;

    private static string FixtureDirectory() => RepositoryPaths.Combine("tests", "fixtures", "tiny-llama");

    [Fact]
    public void TinyLlamaFixtureIsReproducible()
    {
        if (Environment.GetEnvironmentVariable("EVOMERGE_REGENERATE_FIXTURES") == "1")
            TinyDecoderWriter.WriteRandom(FixtureDirectory(), Spec, Seed, MaxShardBytes);

        using var fresh = new TempDirectory();
        TinyDecoderWriter.WriteRandom(fresh.Path, Spec, Seed, MaxShardBytes);
        var expected = Directory.GetFiles(fresh.Path).Select(Path.GetFileName).Order().ToArray();
        var committed = Directory.GetFiles(FixtureDirectory()).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(expected, committed);
        foreach (string? name in expected)
            Assert.Equal(File.ReadAllBytes(fresh.Combine(name!)), File.ReadAllBytes(Path.Combine(FixtureDirectory(), name!)));
    }
}
